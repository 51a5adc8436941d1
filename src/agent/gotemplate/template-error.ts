// The one error type of parsing and execution, carrying Go's message text.

/** A parse or execution failure, with Go's message. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}
