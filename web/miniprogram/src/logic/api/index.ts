// Registry of the wx APIs defined outside src/logic/api.ts: each file of
// this directory calls defineApi/defineAsync from "../api" and is imported
// here for its side effect.
import './common';
import './network';
import './media';
import './auth';
import './device';
import './observer';
import './animation';
import './platform';
export {};
