// The assistant benchmark's messages: paraphrases of the demo FAQ's questions that share few words with its
// phrasings (with the entry a person would expect), requests for a person, and messages the FAQ does not cover.

export interface BenchQuestion {
  text: string;
  /** The demo FAQ key that answers it; `handoff` when the person asks for a person; null when nothing should. */
  expect: string | 'handoff' | null;
}

export const BENCH_QUESTIONS: readonly BenchQuestion[] = [
  // Opening hours
  { text: 'Hi! What time do you open tomorrow?', expect: 'hours' },
  { text: 'are u open on saturdays', expect: 'hours' },
  { text: 'Until what time are you open today?', expect: 'hours' },
  { text: 'Vous êtes ouverts le dimanche ?', expect: 'hours' },
  { text: 'Quel est votre horaire ?', expect: 'hours' },
  { text: '¿Qué horario tienen los sábados?', expect: 'hours' },
  // Shipping
  { text: 'How much do you charge for postage?', expect: 'shipping' },
  { text: 'Do you deliver to Canada?', expect: 'shipping' },
  { text: 'is shipping free?', expect: 'shipping' },
  { text: 'Combien coûtent les frais de livraison ?', expect: 'shipping' },
  { text: '¿El envío es gratis?', expect: 'shipping' },
  // Delivery time
  { text: 'How long until my package gets here?', expect: 'delivery_time' },
  { text: 'how many days does delivery take', expect: 'delivery_time' },
  { text: 'Quand est-ce que je vais recevoir mon colis ?', expect: 'delivery_time' },
  { text: '¿Cuántos días tarda en llegar?', expect: 'delivery_time' },
  // Returns
  { text: 'Can I return the shoes if they do not fit?', expect: 'returns' },
  { text: 'I would like my money back', expect: 'returns' },
  { text: 'how do returns work', expect: 'returns' },
  { text: 'Je voudrais retourner ma veste', expect: 'returns' },
  { text: '¿Puedo devolver la camiseta?', expect: 'returns' },
  // Payment
  { text: 'Do you accept Apple Pay or PayPal?', expect: 'payment' },
  { text: 'can I pay cash on delivery', expect: 'payment' },
  { text: 'Est-ce que je peux payer avec PayPal ?', expect: 'payment' },
  { text: '¿Aceptan tarjeta de crédito?', expect: 'payment' },
  // Order status
  { text: "where's my package? I ordered last week", expect: 'order_status' },
  { text: 'Has my order been shipped yet?', expect: 'order_status' },
  { text: 'I want to track my parcel', expect: 'order_status' },
  { text: 'Où en est ma commande W-1042 ?', expect: 'order_status' },
  { text: '¿Dónde está mi pedido?', expect: 'order_status' },
  // Sizes
  { text: 'Do the jeans run small?', expect: 'sizes' },
  { text: 'Which size should I order, I am usually a medium', expect: 'sizes' },
  { text: 'Vous avez un guide des tailles ?', expect: 'sizes' },
  { text: '¿Qué talla debo pedir?', expect: 'sizes' },
  // Address
  { text: 'Where are you located?', expect: 'address' },
  { text: 'Can I come to the store to pick it up?', expect: 'address' },
  { text: 'Quelle est l’adresse du magasin ?', expect: 'address' },
  { text: '¿Dónde queda la tienda?', expect: 'address' },
  // Asking for a person
  { text: 'Can I talk to a human please', expect: 'handoff' },
  { text: 'real person', expect: 'handoff' },
  { text: 'Je voudrais parler à un conseiller', expect: 'handoff' },
  { text: 'Quiero hablar con una persona', expect: 'handoff' },
  { text: 'agent', expect: 'handoff' },
  // Nothing the FAQ answers
  { text: 'What is the weather like in Lyon?', expect: null },
  { text: 'Do you sell gift cards?', expect: null },
  { text: 'Tell me a joke', expect: null },
  { text: 'ok thanks', expect: null },
  { text: 'lol', expect: null },
  { text: 'My cat just knocked over my coffee', expect: null },
  { text: 'Are you hiring?', expect: null },
  { text: 'Quel temps fait-il à Paris ?', expect: null },
  { text: '¿Tienen tarjetas de regalo?', expect: null },
  { text: 'Who won the football match yesterday?', expect: null },
  { text: '👍', expect: null },
  { text: 'Is the red dress available in green?', expect: null },
];
