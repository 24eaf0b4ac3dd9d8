// Shared by the server (validation, OpenAPI) and the web build (the colour picker).

/** The colours a label can have: the inbox's palette. */
export const LABEL_COLORS = [
  'gray',
  'red',
  'pink',
  'grape',
  'violet',
  'indigo',
  'blue',
  'cyan',
  'teal',
  'green',
  'lime',
  'yellow',
  'orange',
] as const;
export type LabelColor = (typeof LABEL_COLORS)[number];
