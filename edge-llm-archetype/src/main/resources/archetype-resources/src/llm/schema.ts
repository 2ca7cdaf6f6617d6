import type { JSONSchema, JSONSchemaProperty } from "./types";

/**
 * Checks a call's arguments against the tool's JSON Schema (the subset tools use: type, properties,
 * required, additionalProperties, enum, items). Returns one message per problem; none when valid.
 */
export function validateArguments(
  schema: JSONSchema,
  args: Record<string, unknown>,
): string[] {
  const errors: string[] = [];
  checkObject(schema, args, "", errors);
  return errors;
}

function checkObject(
  schema: {
    properties?: Record<string, JSONSchemaProperty>;
    required?: string[];
    additionalProperties?: boolean;
  },
  value: Record<string, unknown>,
  path: string,
  errors: string[],
) {
  const properties = schema.properties ?? {};
  for (const name of schema.required ?? []) {
    if (value[name] === undefined || value[name] === null)
      errors.push(`missing required argument "${path}${name}"`);
  }
  for (const [name, v] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      if (schema.additionalProperties === false)
        errors.push(`unknown argument "${path}${name}"`);
      continue;
    }
    if (v !== undefined && v !== null)
      checkValue(property, v, `${path}${name}`, errors);
  }
}

function checkValue(
  schema: JSONSchemaProperty,
  value: unknown,
  path: string,
  errors: string[],
) {
  if (!hasType(schema.type, value)) {
    errors.push(
      `"${path}" must be ${article(schema.type)}, got ${JSON.stringify(value)}`,
    );
    return;
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) {
    errors.push(
      `"${path}" must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  if (schema.type === "array" && schema.items) {
    (value as unknown[]).forEach((item, i) =>
      checkValue(schema.items!, item, `${path}[${i}]`, errors),
    );
  }
  if (schema.type === "object" && schema.properties) {
    checkObject(schema, value as Record<string, unknown>, `${path}.`, errors);
  }
}

function hasType(type: JSONSchemaProperty["type"], value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return (
        typeof value === "object" && value !== null && !Array.isArray(value)
      );
    default:
      return true;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
