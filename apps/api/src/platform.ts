/**
 * Starting and stopping the platform: the one place that wires the database (embedded or external),
 * migrations, the operator account, demo data and the HTTP server. `main.ts` and the end-to-end tests both
 * call `startPlatform`, so the tests exercise the same start-up as production.
 */
import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AccountsService } from './accounts/accounts.service.js';
import { AppModule } from './app.module.js';
import { clientErrorHandler, frameworkErrors, installBodyParsers, serveWebApp } from './common/http-server.js';
import { installMultipart } from './common/upload.js';
import { installSecurityHeaders } from './common/security-headers.js';
import { createValidationPipe } from './common/validation.js';
import { JobsService } from './jobs/jobs.service.js';
import type { AppConfig } from './config/env.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.js';
import { StripeGateway } from './payments/stripe.gateway.js';
import { AuctionsIoAdapter } from './realtime/io.adapter.js';
import { createRootLogger, installRequestLogging, JsonLogger, requestIdOf } from './observability/logger.js';
import { seedDemoData } from './database/seed.js';

export interface RunningPlatform {
  app: INestApplication;
  url: string;
  config: AppConfig & { databaseUrl: string };
  embedded?: EmbeddedPostgres;
  demoLogins?: { role: string; email: string; password: string }[];
  stop(): Promise<void>;
}

export function buildOpenApi(app: INestApplication): ReturnType<typeof SwaggerModule.createDocument> {
  const document = new DocumentBuilder()
    .setTitle('fapai — online judicial auction platform')
    .setDescription('Public API. Money in fen (分), times ISO 8601 UTC. Errors: { statusCode, code, message, details }.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, document);
}

export async function startPlatform(config: AppConfig, options: { listen?: boolean; log?: (line: string) => void } = {}): Promise<RunningPlatform> {
  const logger = new Logger('Platform');
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), log: options.log });
    databaseUrl = embedded.url;
  }
  const full = { ...config, databaseUrl };

  try {
    if (config.migrationsRun) {
      const ds = new DataSource((await import('./database/data-source.js')).dataSourceOptions(databaseUrl));
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
    }

    const root = createRootLogger(config.logLevel, config.logFile);
    const adapter = new FastifyAdapter({
      // Behind a reverse proxy the client address (rate limits per address) comes from X-Forwarded-For.
      trustProxy: trustProxyOf(config.trustProxy) as string | boolean | undefined, // a hop count is accepted too (proxy-addr)
      genReqId: requestIdOf,
      // Paths as Express matched them: a trailing slash is the same route, and a long (malformed) id
      // (up to Node's 16 KB of headers) reaches the UUID check, which names the parameter, instead of a bare
      // 404 or 414 from the router.
      routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
      multipart: false,
      clientErrorHandler,
      frameworkErrors,
    });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(full), adapter, {
      logger: new JsonLogger(root),
      bodyParser: false,
    });
    const server = app.getHttpAdapter().getInstance();
    installRequestLogging(server, root);
    installBodyParsers(server);
    await installMultipart(server);
    app.setGlobalPrefix('api', { exclude: [] });
    installSecurityHeaders(server, { contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY }, crossOriginEmbedderPolicy: false });
    app.enableCors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, credentials: false });
    app.useGlobalPipes(createValidationPipe());
    app.useWebSocketAdapter(new AuctionsIoAdapter(app, config.realtime, config.redisUrl));

    SwaggerModule.setup('api/docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'api/docs-json' });
    await serveWebApp(server, config.webDist ?? path.join(repoRoot(), 'apps/web/dist'), PLACEHOLDER_PAGE);

    await app.init();
    await app.get(AccountsService).ensureAdmin();
    let demoLogins: RunningPlatform['demoLogins'];
    if (config.seedDemo) demoLogins = await seedDemoData(app);

    let url = '';
    if (options.listen !== false) {
      await app.listen(config.port, '0.0.0.0');
      const address = app.getHttpServer().address() as { port: number };
      url = `http://localhost:${address.port}`;
      app.get(StripeGateway).onListening(`http://127.0.0.1:${address.port}`);
    }
    return {
      app,
      url,
      config: full,
      embedded,
      demoLogins,
      async stop() {
        // Running background jobs finish first, while everything they use is still up.
        await app.get(JobsService).stop();
        await app.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    logger.error(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    await embedded?.stop();
    throw error;
  }
}

/**
 * The Content-Security-Policy of every answer (the web app, Swagger UI, JSON). A script injected into a
 * page (a lot's description, a case name) must not run, or it bids with the reader's session: scripts come
 * from this origin only, and from Stripe.js when a real Stripe key is set (the sources of Stripe's security
 * guide: js.stripe.com and *.js.stripe.com for the script and its frames, api.stripe.com for its calls,
 * hooks.stripe.com for 3-D Secure). Styles may be inline: antd writes its CSS into <style> elements at
 * run time (CSS-in-JS), and an injected style cannot run code. Nothing may frame the platform (a bid
 * button under a decoy), and forms post only here. `'self'` in connect-src covers the socket.io WebSocket
 * to the same origin.
 */
const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", 'https://js.stripe.com', 'https://*.js.stripe.com'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:', 'https://*.stripe.com'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'", 'https://api.stripe.com'],
  'frame-src': ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** TRUST_PROXY as Express spelled it: a hop count, true/false, or a list of addresses and subnets. */
function trustProxyOf(value: string | undefined): boolean | number | string | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** The workspace root (the folder with nx.json), from either the sources or the build output. */
export function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'nx.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const PLACEHOLDER_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>fapai 网络司法拍卖</title></head>
<body><h1>fapai 网络司法拍卖平台</h1><p>The web app is not built yet. API: <a href="/api/docs">/api/docs</a>, <a href="/api/lots">/api/lots</a>.</p></body></html>`;
