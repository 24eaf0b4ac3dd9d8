// The sandbox shop's FAQ: what a small online shop is asked every day, each entry with phrasings in English, French
// and Spanish. The assistant benchmark measures the offline assistant against it, and the sandbox loads it as its
// shop Page's approved entries. Apart from the phrasings the assistant learns from, each entry has paraphrases: the
// same question in other words, which the sandbox's simulated people ask (never used for training).

export interface DemoFaqEntry {
  /** A stable key for benchmarks and the sandbox (not stored). */
  key: string;
  question: string;
  phrases: string[];
  answer: { text: string };
  personal?: 'order_status' | 'opening_hours' | 'delivery_estimate';
}

export const DEMO_FAQ: readonly DemoFaqEntry[] = [
  {
    key: 'hours',
    question: 'When are you open?',
    phrases: [
      'what are your opening hours',
      'when are you open',
      'what time do you close',
      'are you open on sunday',
      'business hours',
      'quels sont vos horaires d ouverture',
      'à quelle heure ouvrez-vous',
      'horario de apertura',
      'a qué hora abren',
    ],
    answer: { text: 'We are open Monday to Saturday, 9:00 to 19:00.' },
    personal: 'opening_hours',
  },
  {
    key: 'shipping',
    question: 'How much is shipping and where do you ship?',
    phrases: [
      'how much is shipping',
      'shipping cost',
      'do you ship internationally',
      'which countries do you deliver to',
      'is delivery free',
      'frais de port',
      'combien coûte la livraison',
      'livrez-vous à l étranger',
      'cuánto cuesta el envío',
      'hacen envíos internacionales',
    ],
    answer: { text: 'Shipping is free from 50 EUR, otherwise 4.90 EUR. We ship to the EU, the UK and Switzerland.' },
  },
  {
    key: 'delivery_time',
    question: 'When will my order arrive?',
    phrases: [
      'when will my order arrive',
      'how long does delivery take',
      'delivery time',
      'when will i receive my parcel',
      'how many days to deliver',
      'quand vais-je recevoir ma commande',
      'délai de livraison',
      'cuándo llega mi pedido',
      'cuánto tarda el envío',
    ],
    answer: { text: 'Orders arrive 2 to 4 working days after they ship.' },
    personal: 'delivery_estimate',
  },
  {
    key: 'returns',
    question: 'How do I return an item?',
    phrases: [
      'how do i return an item',
      'return policy',
      'can i send it back',
      'i want a refund',
      'how to exchange a product',
      'comment retourner un article',
      'je veux être remboursé',
      'politique de retour',
      'cómo devuelvo un producto',
      'quiero un reembolso',
    ],
    answer: { text: 'You have 30 days to return an item: reply "return" with your order number and we send a label.' },
  },
  {
    key: 'payment',
    question: 'Which payment methods do you accept?',
    phrases: [
      'which payment methods do you accept',
      'can i pay with paypal',
      'do you take credit cards',
      'can i pay by bank transfer',
      'payment options',
      'quels moyens de paiement acceptez-vous',
      'puis-je payer par carte',
      'qué formas de pago aceptan',
      'puedo pagar con tarjeta',
    ],
    answer: { text: 'We accept cards (Visa, Mastercard, Amex), PayPal and bank transfer.' },
  },
  {
    key: 'order_status',
    question: 'Where is my order?',
    phrases: [
      'where is my order',
      'order status',
      'track my order',
      'has my order shipped',
      'tracking number',
      'où est ma commande',
      'suivi de commande',
      'dónde está mi pedido',
      'estado de mi pedido',
    ],
    answer: { text: 'Send us your order number (for example W-1234) and we tell you where it is.' },
    personal: 'order_status',
  },
  {
    key: 'sizes',
    question: 'How do your sizes run?',
    phrases: [
      'size guide',
      'what size should i take',
      'do your sizes run small',
      'size chart',
      'guide des tailles',
      'quelle taille choisir',
      'guía de tallas',
      'qué talla me recomiendan',
    ],
    answer: { text: 'Our sizes run true to fit; the size chart is on every product page.' },
  },
  {
    key: 'address',
    question: 'Where is your shop?',
    phrases: [
      'where is your shop',
      'what is your address',
      'can i visit your store',
      'shop location',
      'où se trouve votre magasin',
      'adresse de la boutique',
      'dónde está la tienda',
      'cuál es su dirección',
    ],
    answer: { text: 'Our shop is at 12 Rue des Lilas, Lyon.' },
  },
];

/**
 * Each entry's question in other words (none of them among its phrasings), as the sandbox's simulated people ask it:
 * the offline assistant answers each with its own entry (demo-faq.test.ts).
 */
export const DEMO_FAQ_PARAPHRASES: Readonly<Record<string, readonly string[]>> = {
  hours: ['Are you open on Sunday mornings?', 'when do you close tonight', 'Quels sont vos horaires le samedi ?'],
  shipping: [
    'what are the postage costs',
    'Do you deliver internationally, to Canada for example?',
    '¿Cuánto cuesta enviar a Francia?',
  ],
  delivery_time: [
    'How long will it take for my parcel to get here?',
    'how many days until my package arrives',
    '¿Cuántos días tarda la entrega?',
  ],
  returns: ['Can I send back the shoes if they do not fit?', 'how do returns work', 'Je voudrais retourner ma veste'],
  payment: ['can I pay with my visa card', 'what payment methods can I use', '¿Aceptan PayPal?'],
  order_status: [
    'Can you tell me the status of my order?',
    'I want to track my package',
    '¿Cuál es el estado de mi pedido?',
  ],
  sizes: [
    'Do the jeans run small?',
    'Which size should I take, I am usually a medium',
    'Vous avez un tableau des tailles ?',
  ],
  address: [
    'What is the address of your shop?',
    'Do you have a physical store I can visit?',
    '¿Dónde queda la tienda?',
  ],
};

/** Messages the FAQ does not cover: the assistant leaves them for a person (and collects the questions among them). */
export const DEMO_OFF_TOPIC: readonly string[] = [
  'Do you sell gift cards?',
  'Can you recommend a good film?',
  'Est-ce que vous recrutez ?',
  'My cat just knocked my coffee over',
];
