// Name and path helpers shared by the logic layer and the view layer.

/** "my-prop" → "myProp", as wcc names attributes and WeChat names properties. */
export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Joins a relative path onto a directory; "a/b" + "../c" → "a/c"; a path starting with "/" ignores dir. */
export function joinPath(dir: string, rel: string): string {
  const parts = rel.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/**
 * A selector written in a component's template, as the DOM knows it: each
 * class selector `.x` carries the component's style scope (`.S--x`).
 */
export function scopeSelector(selector: string, scope: string | undefined, classMode?: string): string {
  if (!scope || classMode === 'none') return selector;
  return selector.replace(/\.([A-Za-z_][\w-]*)/g, `.${scope}--$1`);
}
