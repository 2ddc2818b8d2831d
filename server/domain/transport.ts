/**
 * Whether a page is served so that browsers treat it as a secure context. Service workers (the offline form),
 * `crypto.randomUUID` and Web Locks exist only over HTTPS or on the device itself (localhost): a form opened over
 * plain HTTP on a LAN address works online only. /healthz reports it; the dashboards show it to admins.
 */

/** Host names a browser treats as potentially trustworthy over plain HTTP (the device itself). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1';
}

export interface TransportWarning {
  code: 'plain_http';
  message: string;
}

/** The warning for a page requested over `protocol` under `hostname`, or null when browsers give it a secure context. */
export function transportWarning(protocol: string, hostname: string): TransportWarning | null {
  if (protocol === 'https' || isLoopbackHost(hostname)) return null;
  return {
    code: 'plain_http',
    message: `served over plain HTTP to "${hostname}": browsers allow offline work (service worker) only over HTTPS; set TLS_CERT and TLS_KEY, or put a reverse proxy with HTTPS in front (README, "HTTPS"); already behind one, set TRUST_PROXY so the app believes its X-Forwarded-Proto`,
  };
}
