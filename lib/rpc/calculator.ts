// The lab's calculator, `Calcul`: add, mult, diff, quotient, absolue over ints and doubles.
// Ints stay ints (2 + 3 = 5), a double anywhere makes a double, quotient is true division.

import { RpcDouble, type RpcValue } from './codec.ts';
import { FaultCode, RpcFault } from './faults.ts';
import type { MethodTable, RpcMethod } from './methods.ts';

const intAndDouble = (arity: number) => [
  ['int', ...Array<string>(arity).fill('int')],
  ['double', ...Array<string>(arity).fill('double')],
];

function binary(help: string, operate: (a: number, b: number) => number): RpcMethod {
  return {
    params: [
      { name: 'a', type: 'number' },
      { name: 'b', type: 'number' },
    ],
    returns: 'double',
    signatures: intAndDouble(2),
    help,
    handler: ([a, b]: [number, number], call) => typed(operate(a, b), call.doubles.some(Boolean)),
  };
}

/**
 * The result as an <int> when every operand was one and it fits, else as a <double>. Ints in,
 * the answer must be exact: mult(2147483647, 2147483647) is beyond 2^53, where a double rounds
 * (…609 would come back as …608), so it is a fault rather than a wrong number.
 */
function typed(result: number, double: boolean): RpcValue {
  if (!Number.isFinite(result)) throw new RpcFault(FaultCode.outOfRange, 'result out of range (not a finite number)');
  if (!double && !Number.isSafeInteger(result)) {
    throw new RpcFault(FaultCode.outOfRange, 'result out of range: beyond 2^53, a <double> cannot carry this integer exactly (send doubles to accept the rounding)');
  }
  return !double && Number.isInteger(result) && Math.abs(result) <= 2147483647 ? result : new RpcDouble(result);
}

export const calculatorMethods: MethodTable = {
  add: binary('add(a, b) → a + b', (a, b) => a + b),
  mult: binary('mult(a, b) → a × b', (a, b) => a * b),
  diff: binary('diff(a, b) → a − b', (a, b) => a - b),
  quotient: {
    ...binary('quotient(a, b) → a ÷ b, always a double (true division, as Python 3’s a / b); b = 0 is fault 2', (a, b) => a / b),
    signatures: [
      ['double', 'int', 'int'],
      ['double', 'double', 'double'],
    ],
    // Division by zero is a fault, not inf: the caller learns what went wrong.
    handler: ([a, b]: [number, number]) => {
      if (b === 0) throw new RpcFault(FaultCode.divisionByZero, 'division by zero');
      return typed(a / b, true);
    },
  },
  absolue: {
    params: [{ name: 'a', type: 'number' }],
    returns: 'double',
    signatures: intAndDouble(1),
    help: 'absolue(a) → |a|',
    handler: ([a]: [number], call) => typed(Math.abs(a), call.doubles[0]),
  },
};

/** The operations the calc client offers, in the lab's menu order. */
export const calculatorOperations = ['add', 'mult', 'diff', 'quotient', 'absolue'] as const;
export type CalculatorOperation = (typeof calculatorOperations)[number];
