import {
  Type,
  type Static,
  type TInteger,
  type TNumber,
  type TObject,
  type TSchema,
  type TString,
  type TUnsafe,
} from 'typebox';
import { ERROR_STATUS } from '../errors.ts';

// Shared TypeBox pieces for route schemas. A route's schema is the one place its input is validated and the one
// source of its handler's types (through the type provider): no route casts request data. The helpers emit the
// same JSON Schema the routes always had (`type: ['string', 'null']`, `{type: 'string', enum}`), so Ajv's error
// messages, and with them the 400s naming the field, stay as they were.

/** A string limited to the given values: `{type: 'string', enum}` (so a number is "must be string", a wrong word lists the values). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

type Primitive = TString | TInteger | TNumber | TObject | TSchema;

/** The schema, or null: `type: [t, 'null']` rather than `anyOf`, for simpler validation messages and faster serialisation. */
export function Nullable<T extends Primitive>(
  schema: T,
  options: { description?: string } = {},
): TUnsafe<Static<T> | null> {
  const { type, ...rest } = schema as { type?: unknown };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'].flat(), ...options });
}

/** An RFC 3339 time, as presenters write it. */
export const DateTime = (options: { description?: string } = {}) => Type.String({ format: 'date-time', ...options });

/** An RFC 3339 time or null. */
export const NullableDateTime = (options: { description?: string } = {}) => Nullable(DateTime(), options);

/** A JSON object with any members (free-form attributes, details, Send API attachments). */
export const AnyObject = (options: { description?: string } = {}) =>
  Type.Object({}, { additionalProperties: true, ...options });

/** A Page-scoped id as Meta writes it: digits only. */
export const Psid = () => Type.String({ pattern: '^[0-9]{1,32}$' });

/** Path parameters that are one opaque id each: `{contactId: string}`. */
export function IdParams<const K extends string>(
  name: K,
  options: { maxLength?: number } = {},
): TObject<Record<K, TString>> {
  return Type.Object({ [name]: Type.String(options) } as Record<K, TString>);
}

/** `?limit=&cursor=`; numbers in query strings are parsed before validation (request-shape.ts). */
export const pagingProperties = {
  limit: Type.Optional(Type.Integer({ minimum: 1, description: 'at most 200; larger values are clamped' })),
  cursor: Type.Optional(Type.String()),
};

export const PagingQuery = Type.Object(pagingProperties);

/** A cursor-paginated list: `{data, next_cursor}`. */
export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), next_cursor: Nullable(Type.String()) });
}

/** Every stable error code an answer may carry (src/errors.ts is the one list; a test checks the sources use no other). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[];

/** The error envelope every failing route answers with. */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: StringEnum(ERROR_CODES, { description: 'stable snake_case; every 5xx is `internal`' }),
    message: Type.String({ description: 'what went wrong and what to do; names the field for a validation error' }),
    request_id: Type.String(),
    details: Type.Optional(AnyObject()),
  }),
});

/** The error answers every API route may give. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  405: ErrorBody,
  500: ErrorBody,
};
