// The peers' list and the skip helpers live in peers/available.ts, where the benchmarks may
// import them too; tests keep importing them from here.
export * from '../../peers/available.ts';
