// The CommonJS graphology packages, typed as they really load under Node's ESM: their
// module.exports is what their type declarations call `default`.

import louvainModule from 'graphology-communities-louvain';
import forceAtlas2Module from 'graphology-layout-forceatlas2';

export const louvain = louvainModule as unknown as typeof louvainModule.default;
export const forceAtlas2 = forceAtlas2Module as unknown as typeof forceAtlas2Module.default;
