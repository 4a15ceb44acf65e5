// Text inside XML, for every writer (GEXF and SVG in lib/graph, XML-RPC in lib/rpc): markup
// escaped, and what XML 1.0 cannot carry replaced, so that no reader's parser chokes.

// XML 1.0 §2.2 Char: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and the astral planes. Anything
// else (C0 controls, lone surrogates, U+FFFE/U+FFFF) makes the whole document ill-formed, even as &#n;.
const forbidden = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const special = /[&<>"\t\n\r]/g;
const needsWork = /[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]/;

const references: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // XML 1.0 §3.3.3: a parser turns a literal tab or newline in an attribute into a space, and
  // §2.11 turns a literal CR into LF anywhere; as references they come back as they were.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Text safe inside an element or a double-quoted attribute. A character XML cannot carry becomes
 * U+FFFD (the replacement character), so the reader sees that something was there.
 */
export function escapeXml(text: string): string {
  if (!needsWork.test(text)) return text;
  return text.replace(forbidden, '\ufffd').replace(special, (c) => references[c]);
}
