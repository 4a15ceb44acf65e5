// The ladder diagram as data (--json): `lanes` with each endpoint and role, `arrows` with from,
// to (lane endpoints, address:port), time, flags and label, and what was left out.

import type { Diagram } from './diagram.ts';

export function diagramJson(diagram: Diagram) {
  return {
    lanes: diagram.lanes.map(({ endpoint, role, program }) => ({ endpoint, role, ...(program ? { program } : {}) })),
    arrows: diagram.arrows.map(({ number, time, from, to, protocol, flags, numbers, length, label, phase, summary }) => ({
      number, time, from, to, protocol, flags, numbers, length, label, ...(phase ? { phase } : {}), summary,
    })),
    total: diagram.total,
    leftOut: diagram.leftOut,
  };
}
