import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { securityHeaders } from './security-headers.js';

const OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'self'"], 'script-src': ["'self'", 'https://js.stripe.com'], 'frame-ancestors': ["'none'"] } },
  crossOriginEmbedderPolicy: false,
};

describe('securityHeaders', () => {
  it('are exactly the headers helmet sets on a real response with the same options', () => {
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    res.setHeader('X-Powered-By', 'something'); // helmet removes it
    helmet(OPTIONS)(req, res, () => undefined);
    const real = Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
    expect(securityHeaders(OPTIONS)).toEqual(real);
    expect(real['content-security-policy']).toBe("default-src 'self';script-src 'self' https://js.stripe.com;frame-ancestors 'none'");
    expect(real['x-content-type-options']).toBe('nosniff');
    expect(real['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(real['cross-origin-embedder-policy']).toBeUndefined();
  });

  it('refuses options helmet refuses, at start-up (a policy without default-src)', () => {
    expect(() => securityHeaders({ contentSecurityPolicy: { useDefaults: false, directives: { 'script-src': ["'self'"] } } })).toThrow(/default-src/);
  });
});
