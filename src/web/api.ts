// The versioned JSON API. Each route is declared once with its zod schemas; the same declaration
// validates requests and writes the OpenAPI document served at /api/openapi.json.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError, fieldProblemsFromZod } from '../errors.ts';
import type { Access } from './guard.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  url: string; // Fastify style, e.g. /api/v1/accounts/:accountId
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  response: z.ZodType;
  /** For files (PDF, CSV, XLSX): the media type; the handler returns a Buffer or string. Default JSON. */
  produces?: string;
  successStatus?: number;
  handler: (
    input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; request: FastifyRequest },
    reply: FastifyReply,
  ) => Promise<unknown>;
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(['not_found', 'validation_failed', 'conflict', 'forbidden', 'unauthorised', 'internal_error']),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

export const idParam = (name: string) =>
  z.object({ [name]: z.coerce.number().int().positive({ message: `${name} must be a positive whole number` }) });

function parseOrThrow<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const fields = fieldProblemsFromZod(parsed.error.issues);
    throw new ValidationError(`Invalid ${where}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
  }
  return parsed.data;
}

export function createApiRegistry() {
  const paths: Record<string, Record<string, unknown>> = {};

  function document(route: ApiRoute<z.ZodType, z.ZodType, z.ZodType>) {
    const openApiPath = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    const addParameters = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
      if (!schema) return;
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
      }
    };
    addParameters(route.params, 'path');
    addParameters(route.query, 'query');
    const errorResponse = { description: 'Error', content: { 'application/json': { schema: z.toJSONSchema(errorBodySchema) } } };
    paths[openApiPath] ??= {};
    paths[openApiPath][route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      'x-levy-access': route.access,
      security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
      parameters,
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } } }
        : {}),
      responses: {
        [String(route.successStatus ?? 200)]: {
          description: 'Success',
          content: route.produces
            ? { [route.produces]: { schema: { type: 'string', format: 'binary' } } }
            : { 'application/json': { schema: z.toJSONSchema(route.response, { unrepresentable: 'any' }) } },
        },
        '400': errorResponse,
        '401': errorResponse,
        '403': errorResponse,
        '404': errorResponse,
      },
    };
  }

  return {
    add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(app: FastifyInstance, route: ApiRoute<P, Q, B>) {
      document(route as unknown as ApiRoute<z.ZodType, z.ZodType, z.ZodType>);
      app.route({
        method: route.method,
        url: route.url,
        config: { access: route.access },
        handler: async (request, reply) => {
          const params = parseOrThrow(route.params, request.params, 'path parameter');
          const query = parseOrThrow(route.query, request.query, 'query parameter');
          const body = parseOrThrow(route.body, request.body, 'request body');
          const result = await route.handler({ params, query, body, request }, reply);
          reply.code(route.successStatus ?? 200).type(route.produces ?? 'application/json');
          return result;
        },
      });
    },

    openApiDocument(version: string) {
      return {
        openapi: '3.1.0',
        info: {
          title: 'Levy API',
          version,
          description:
            'Revenues collection and debt recovery. Authenticate with a personal API token (create one under "API tokens" in the app) sent as `Authorization: Bearer <token>`. Money is integer pence; dates are ISO YYYY-MM-DD. Errors share one body: {"error":{"code","message","fields"}}.',
        },
        servers: [{ url: '/' }],
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
        paths,
      };
    },
  };
}
export type ApiRegistry = ReturnType<typeof createApiRegistry>;
