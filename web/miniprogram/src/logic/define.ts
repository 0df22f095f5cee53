// Component(), Behavior() and Page() definitions, normalised and merged with
// their behaviors by WeChat's rules: properties and methods of the component
// override those of its behaviors (a later behavior overrides an earlier
// one, a behavior overrides the behaviors it includes); data objects merge
// deeply; lifetimes and observers all run, behaviors' first, each behavior
// once.

import { parsePattern, type Pattern } from './datapath';

export type PropType = 'String' | 'Number' | 'Boolean' | 'Object' | 'Array' | 'Function' | 'Any';

export interface PropDef {
  type: PropType;
  optionalTypes: PropType[] | null;
  value: unknown;
  observer: Function | string | null;
}

export interface RelationDef {
  type: 'parent' | 'child' | 'ancestor' | 'descendant' | 'parent-common-node' | 'child-common-node';
  target?: unknown;
  linked?: Function;
  linkChanged?: Function;
  unlinked?: Function;
}

export interface Observer {
  patterns: Pattern[];
  fn: Function;
}

export interface Options {
  multipleSlots?: boolean;
  styleIsolation?: string;
  addGlobalClass?: boolean;
  pureDataPattern?: RegExp;
  virtualHost?: boolean;
  [k: string]: unknown;
}

/** A normalised definition (Behavior, Component or Page). */
export interface Def {
  is: string;
  kind: 'behavior' | 'component' | 'page';
  properties: Record<string, PropDef>;
  data: Record<string, unknown>;
  methods: Record<string, Function>;
  observers: Observer[];
  lifetimes: Record<string, Function[]>;
  pageLifetimes: Record<string, Function[]>;
  relations: Record<string, RelationDef>;
  externalClasses: string[];
  options: Options;
  /** Every behavior included, transitively (for hasBehavior). */
  behaviors: Set<unknown>;
  /** Page(): fields other than data and functions, copied onto each instance. */
  fields: Record<string, unknown>;
  exportFn: Function | null;
  /** Whether a page built with Page() (hooks on the instance) or Component(). */
  pageStyle: boolean;
}

const TYPES: Array<[unknown, PropType]> = [
  [String, 'String'], [Number, 'Number'], [Boolean, 'Boolean'], [Object, 'Object'], [Array, 'Array'], [Function, 'Function'],
];

function typeOf(t: unknown): PropType {
  if (t === null || t === undefined) return 'Any';
  // By name too: a constructor from another realm is still that type.
  for (const [ctor, name] of TYPES) if (t === ctor || t === name || (typeof t === 'function' && t.name === name)) return name;
  return 'Any';
}

const DEFAULTS: Record<PropType, () => unknown> = {
  String: () => '', Number: () => 0, Boolean: () => false, Object: () => null, Array: () => [], Function: () => function () {}, Any: () => null,
};

export function normaliseProp(v: unknown): PropDef {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const type = typeOf(o.type);
    return {
      type,
      optionalTypes: Array.isArray(o.optionalTypes) ? o.optionalTypes.map(typeOf) : null,
      value: 'value' in o && o.value !== undefined ? o.value : DEFAULTS[type](),
      observer: (o.observer as Function | string) ?? null,
    };
  }
  const type = typeOf(v);
  return { type, optionalTypes: null, value: DEFAULTS[type](), observer: null };
}

function matches(t: PropType, v: unknown): boolean {
  switch (t) {
    case 'String': return typeof v === 'string';
    case 'Number': return typeof v === 'number' && Number.isFinite(v);
    case 'Boolean': return typeof v === 'boolean';
    case 'Object': return typeof v === 'object' && !Array.isArray(v);
    case 'Array': return Array.isArray(v);
    case 'Function': return typeof v === 'function';
    default: return v !== undefined;
  }
}

/** Converts a value passed to a property to its type (glass-easel's documented coercions). */
export function coerce(p: PropDef, v: unknown): unknown {
  if (p.optionalTypes) for (const t of p.optionalTypes) if (matches(t, v)) return v;
  switch (p.type) {
    case 'String':
      return v === null || v === undefined ? p.value : String(v);
    case 'Number':
      return v !== null && v !== '' && typeof v !== 'object' && isFinite(v as number) ? Number(v) : p.value;
    case 'Boolean':
      return !!v;
    case 'Array':
      return Array.isArray(v) ? v : p.value;
    case 'Object':
      return typeof v === 'object' ? v : p.value;
    case 'Function':
      return typeof v === 'function' ? v : p.value;
    default:
      return v === undefined ? p.value : v;
  }
}

export function deepMerge(dst: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const k of Object.keys(src)) {
    const s = src[k];
    const d = dst[k];
    if (s && d && typeof s === 'object' && typeof d === 'object' && !Array.isArray(s) && !Array.isArray(d)) {
      const copy = { ...(d as Record<string, unknown>) };
      deepMerge(copy, s as Record<string, unknown>);
      dst[k] = copy;
    } else {
      dst[k] = s;
    }
  }
}

const LIFETIMES = ['created', 'attached', 'ready', 'moved', 'detached', 'error'];
const PAGE_LIFETIMES = ['show', 'hide', 'resize', 'routeDone'];

type Filter = (defFields: Record<string, unknown>, definitionFilterArr?: Array<BoundFilter | null>) => void;
type BoundFilter = (defFields: Record<string, unknown>) => void;

/**
 * definitionFilter (WeChat's rule, as glass-easel does it): when a
 * Behavior() or Component() definition is made, each behavior it lists
 * that has a definitionFilter is called with that definition object (it
 * may change it) and, as definitionFilterArr, the bound filters of that
 * behavior's own behaviors (null for one without), which it may call on
 * the definition to pass it further down.
 */
export function applyDefinitionFilters(src: Record<string, unknown>): void {
  if (!Array.isArray(src.behaviors)) return;
  for (const b of src.behaviors) if (b instanceof BehaviorRef && b.boundFilter) b.boundFilter(src);
}

/**
 * A Page()'s filters see what glass-easel passes them: {data, options,
 * behaviors, methods} with every function of the page among the methods;
 * the page is rebuilt from what they leave.
 */
function filterPage(src: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(src.behaviors) || !src.behaviors.some((b) => b instanceof BehaviorRef && b.boundFilter)) return src;
  const methods: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'data' || k === 'options' || k === 'behaviors') continue;
    if (typeof v === 'function') methods[k] = v;
    else rest[k] = v;
  }
  const view: Record<string, unknown> = { data: src.data, options: src.options, behaviors: src.behaviors, methods };
  applyDefinitionFilters(view);
  return { ...rest, ...((view.methods as Record<string, unknown>) || {}), data: view.data, options: view.options, behaviors: view.behaviors };
}

/** A raw Behavior() result: its source, resolved lazily so order of definition does not matter. */
export class BehaviorRef {
  /** This behavior's definitionFilter with its behaviors' filters bound as definitionFilterArr. */
  readonly boundFilter: BoundFilter | null = null;
  constructor(public readonly src: Record<string, unknown>, public readonly is: string) {
    // The behaviors' filters run when this behavior is defined, before its fields are read.
    applyDefinitionFilters(src);
    const own = src.definitionFilter;
    if (typeof own === 'function') {
      const children = (Array.isArray(src.behaviors) ? src.behaviors : []).map((b) => (b instanceof BehaviorRef ? b.boundFilter : null));
      this.boundFilter = (defFields) => (own as Filter)(defFields, children);
    }
  }
  private flat?: Def;
  def(): Def {
    if (!this.flat) this.flat = build(this.src, this.is, 'behavior');
    return this.flat;
  }
}

/** Built-in behaviors ("wx://form-field" & co) as strings. */
function builtinBehavior(name: string): Record<string, unknown> | null {
  switch (name) {
    case 'wx://form-field':
      return { properties: { name: { type: String, value: '' }, value: { type: null, value: null } } };
    case 'wx://form-field-group':
    case 'wx://form-field-button':
    case 'wx://component-export':
      return {};
  }
  return null;
}

function emptyDef(is: string, kind: Def['kind']): Def {
  return {
    is, kind, properties: {}, data: {}, methods: {}, observers: [], lifetimes: {}, pageLifetimes: {}, relations: {},
    externalClasses: [], options: {}, behaviors: new Set(), fields: {}, exportFn: null, pageStyle: false,
  };
}

function mergeInto(dst: Def, src: Def): void {
  Object.assign(dst.properties, src.properties);
  deepMerge(dst.data, src.data);
  Object.assign(dst.methods, src.methods);
  dst.observers.push(...src.observers);
  for (const [k, fns] of Object.entries(src.lifetimes)) (dst.lifetimes[k] ||= []).push(...fns);
  for (const [k, fns] of Object.entries(src.pageLifetimes)) (dst.pageLifetimes[k] ||= []).push(...fns);
  Object.assign(dst.relations, src.relations);
  for (const c of src.externalClasses) if (!dst.externalClasses.includes(c)) dst.externalClasses.push(c);
  for (const b of src.behaviors) dst.behaviors.add(b);
  if (src.exportFn) dst.exportFn = src.exportFn;
  Object.assign(dst.fields, src.fields);
}

/**
 * Builds the definition of a Component/Behavior/Page options object. For
 * pages built with Page(), `kind` is "page" and hooks/fields live on the
 * instance.
 */
export function build(src: Record<string, unknown>, is: string, kind: Def['kind'], pageStyle = false): Def {
  // A behavior's filters already ran when it was defined (BehaviorRef).
  if (kind !== 'behavior') src = pageStyle ? filterPage(src) : (applyDefinitionFilters(src), src);
  const def = emptyDef(is, kind);
  def.pageStyle = pageStyle;
  // Behaviors first, each once, in order; their own behaviors before them.
  const seen = new Set<unknown>();
  const list = Array.isArray(src.behaviors) ? src.behaviors : [];
  for (const b of list) {
    if (seen.has(b)) continue;
    seen.add(b);
    if (b instanceof BehaviorRef) {
      mergeInto(def, b.def());
      def.behaviors.add(b);
    } else if (typeof b === 'string') {
      const bi = builtinBehavior(b);
      if (bi) mergeInto(def, build(bi, b, 'behavior'));
      def.behaviors.add(b);
    }
  }
  const own = emptyDef(is, kind);
  const props = (src.properties || src.props) as Record<string, unknown> | undefined;
  if (props) for (const [k, v] of Object.entries(props)) own.properties[k] = normaliseProp(v);
  if (src.data && typeof src.data === 'object') deepMerge(own.data, src.data as Record<string, unknown>);
  if (typeof src.data === 'function') deepMerge(own.data, (src.data as Function)() || {});
  const methods = src.methods as Record<string, unknown> | undefined;
  if (methods) for (const [k, v] of Object.entries(methods)) if (typeof v === 'function') own.methods[k] = v;
  const obs = src.observers as Record<string, unknown> | undefined;
  if (obs) for (const [k, v] of Object.entries(obs)) if (typeof v === 'function') own.observers.push({ patterns: parsePattern(k), fn: v });
  // lifetimes{} overrides a top-level function of the same name.
  const lt = (src.lifetimes || {}) as Record<string, unknown>;
  for (const name of LIFETIMES) {
    const f = typeof lt[name] === 'function' ? lt[name] : kind !== 'page' || !pageStyle ? src[name] : undefined;
    if (typeof f === 'function') own.lifetimes[name] = [f as Function];
  }
  const plt = (src.pageLifetimes || {}) as Record<string, unknown>;
  for (const name of PAGE_LIFETIMES) if (typeof plt[name] === 'function') own.pageLifetimes[name] = [plt[name] as Function];
  const rel = src.relations as Record<string, RelationDef> | undefined;
  if (rel) for (const [k, v] of Object.entries(rel)) own.relations[k] = v;
  if (Array.isArray(src.externalClasses)) own.externalClasses = src.externalClasses.map(String);
  if (typeof src.export === 'function') own.exportFn = src.export as Function;
  if (pageStyle) {
    // Page(): every function is a method of the page; other fields are copied.
    for (const [k, v] of Object.entries(src)) {
      if (k === 'data' || k === 'behaviors' || k === 'options' || k === 'definitionFilter') continue;
      if (typeof v === 'function') own.methods[k] = v;
      else own.fields[k] = v;
    }
  }
  mergeInto(def, own);
  const opts = (src.options || {}) as Options;
  def.options = { ...opts };
  if (typeof opts.pureDataPattern === 'string') def.options.pureDataPattern = new RegExp(opts.pureDataPattern);
  return def;
}
