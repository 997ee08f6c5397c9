/**
 * Where to redirect a request that reached the app over plain HTTP, or `undefined` to serve it.
 * The load balancer terminates TLS and says so in `X-Forwarded-Proto`; anything but `https` is redirected
 * (301 to the same host and path), except health routes (`/health*`), which probes reach over plain HTTP.
 * Call it only after the Host was checked: the Location reuses the Host.
 */
export function httpsRedirectTarget(req: {
  url: string;
  host: string | undefined;
  forwardedProto: string | string[] | undefined;
}): string | undefined {
  if (isHealthPath(req.url)) {
    return undefined;
  }
  const proto = Array.isArray(req.forwardedProto) ? req.forwardedProto[0] : req.forwardedProto;
  // A chain of proxies appends: the first value is what the client used.
  const first = proto?.split(',')[0]?.trim().toLowerCase();
  if (first === 'https') {
    return undefined;
  }
  return `https://${req.host ?? ''}${req.url}`;
}

/** `/health`, `/health/…` and `/health?…`: the routes probes call. */
export function isHealthPath(url: string): boolean {
  return url === '/health' || url.startsWith('/health/') || url.startsWith('/health?');
}
