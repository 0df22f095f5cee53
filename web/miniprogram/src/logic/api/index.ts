// Registry of the wx APIs defined outside src/logic/api.ts: each file of
// this directory calls defineApi/defineAsync from "../api" and is imported
// here for its side effect.
export {};
