import type { JsonSchema } from './schema-gen.ts';

/** A realistic strict schema (nested objects, enums, bounds, a nullable field) for the stand-in's tests. */
export const PHOTO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['description', 'tags', 'people_count', 'dominant_color', 'rating', 'location', 'is_outdoor', 'objects'],
  properties: {
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' }, minItems: 3 },
    people_count: { type: 'integer', minimum: 0, maximum: 20 },
    dominant_color: { type: 'string', enum: ['red', 'green', 'blue', 'other'] },
    rating: { type: 'number', minimum: 0, maximum: 1 },
    location: { type: ['string', 'null'] },
    is_outdoor: { type: 'boolean' },
    objects: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'confidence'],
        properties: { name: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
      },
    },
  },
} as const satisfies JsonSchema;
