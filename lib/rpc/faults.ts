// XML-RPC faults: the one table of fault codes our servers send, and the error class that
// carries a fault through handlers, the server and the client.

/**
 * Protocol codes follow the "specification for fault code interoperability" (xmlrpc-epi, 2001)
 * that Python, PHP and Apache's XML-RPC also use; application codes are small positive numbers.
 */
export const FaultCode = {
  parseError: -32700, // not well-formed XML, or XML we refuse (DOCTYPE, entities)
  unsupportedEncoding: -32701,
  invalidRequest: -32600, // well-formed, but not an XML-RPC call (unknown tag, nesting too deep)
  methodNotFound: -32601,
  invalidParams: -32602, // wrong number or types of parameters
  internalError: -32603, // a bug on our side: the handler threw something that is not a fault
  // Calculator
  divisionByZero: 2,
  outOfRange: 3,
  // Directory (annuaire)
  invalidName: 10,
  invalidNumber: 11,
  noSuchEntry: 12,
  duplicateEntry: 13,
  storageError: 14,
} as const;
export type FaultCodeName = keyof typeof FaultCode;

/** A fault as it travels: thrown by handlers, sent by the server, thrown again by the client. */
export class RpcFault extends Error {
  readonly faultCode: number;
  readonly faultString: string;

  constructor(faultCode: number, faultString: string) {
    super(faultString);
    this.name = 'RpcFault';
    this.faultCode = faultCode;
    this.faultString = faultString;
  }

  /** "Fault 2: division by zero", as the menus print it. */
  toString(): string {
    return `Fault ${this.faultCode}: ${this.faultString}`;
  }

  toJSON(): { faultCode: number; faultString: string } {
    return { faultCode: this.faultCode, faultString: this.faultString };
  }
}

export function fault(code: FaultCodeName, message: string): RpcFault {
  return new RpcFault(FaultCode[code], message);
}

export function isRpcFault(error: unknown): error is RpcFault {
  return error instanceof RpcFault;
}
