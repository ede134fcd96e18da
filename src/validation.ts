// zod's mini build (full zod costs ~130 ms of startup) carries no messages until asked. A failed
// parse loads English ones and runs again, so its issues read as full zod's would; a successful
// parse never pays for them.

import * as z from 'zod/mini';

export function safeParse<T extends z.ZodMiniType>(schema: T, value: unknown): z.util.SafeParseResult<z.output<T>> {
  const result = schema.safeParse(value);
  if (result.success) return result;
  z.config(z.locales.en());
  return schema.safeParse(value);
}

