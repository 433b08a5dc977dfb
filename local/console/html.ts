// HTML for the local console (docs/architecture.md, "Local console"): every interpolated value is escaped
// unless it is already Html, so data from the tables (descriptions, messages, errors) is never markup.

/** Markup that is safe as it is: built by `html` or `trustedHtml`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text as it may stand in an element or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

type Part = Html | string | number | boolean | null | undefined | Date | readonly Part[];

function render(part: Part): string {
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Date) return escapeHtml(part.toISOString());
  return escapeHtml(part);
}

/** Template tag: the literal parts are markup, every `${value}` is escaped (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup our own code made (the analytics SVG): the one way around the escaping, so it is easy to find. */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}
