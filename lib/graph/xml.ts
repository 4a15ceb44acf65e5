// XML text for attribute values and element content: escaping, and dropping what XML 1.0
// forbids. Shared by the GEXF and SVG writers.

// XML 1.0 §2.2 Char: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and the astral planes. Anything
// else (C0 controls, lone surrogates, U+FFFE/U+FFFF) makes the whole document ill-formed.
const illegal = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const special = /[&<>"\t\n\r]/g;
const needsWork = /[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // XML 1.0 §3.3.3: a parser turns a literal tab or newline in an attribute into a space; keep them as references.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Text safe inside a double-quoted attribute or an element. */
export function escapeXml(text: string): string {
  if (!needsWork.test(text)) return text;
  return text.replace(illegal, '').replace(special, (c) => entities[c]);
}
