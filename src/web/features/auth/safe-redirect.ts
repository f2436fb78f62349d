/**
 * Where to go after signing in. `?from=` comes from the address bar, so anyone can craft it:
 * only a path of this hub is followed (no scheme, no `//host`, no backslash tricks), anything
 * else goes to the hub's start.
 */
export function safeRedirectTarget(from: string | null | undefined): string {
  if (!from) return '/app';
  if (!from.startsWith('/app')) return '/app';
  if (!/^\/app(?:[/?#]|$)/.test(from)) return '/app';
  if (from.includes('\\') || from.includes('//')) return '/app';
  // Control characters (tab, newline) are stripped by URL parsers and can turn into `//`.
  if (/\p{Cc}/u.test(from)) return '/app';
  return from;
}
