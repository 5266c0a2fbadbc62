/**
 * Starting and stopping the platform: the one place that wires the database (embedded or external),
 * migrations, the operator account, demo data and the HTTP server. `main.ts` and the end-to-end tests both
 * call `startPlatform`, so the tests exercise the same start-up as production.
 */
import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AccountsService } from './accounts/accounts.service.js';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/validation.js';
import { JobsService } from './jobs/jobs.service.js';
import type { AppConfig } from './config/env.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres.js';
import { StripeGateway } from './payments/stripe.gateway.js';
import { AuctionsIoAdapter } from './realtime/io.adapter.js';
import { createRootLogger, JsonLogger, requestLogging } from './observability/logger.js';
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
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(full), {
      logger: new JsonLogger(root),
      bodyParser: false,
    });
    app.use(requestLogging(root));
    // Behind a reverse proxy the client address (rate limits per address) comes from X-Forwarded-For.
    if (config.trustProxy) app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy === 'true' ? true : config.trustProxy === 'false' ? false : config.trustProxy);
    app.setGlobalPrefix('api', { exclude: [] });
    app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
    // 2 MB: large enough that a 1 MB string reaches validation and gets a 400 naming the field.
    app.use(express.json({ limit: '2mb', verify: (req, _res, buf) => ((req as unknown as { rawBody?: Buffer }).rawBody = buf) }));
    app.use(express.urlencoded({ extended: false, limit: '100kb' }));
    app.enableCors({ origin: config.corsOrigins.length > 0 ? config.corsOrigins : false, credentials: false });
    app.useGlobalPipes(createValidationPipe());
    app.useWebSocketAdapter(new AuctionsIoAdapter(app, config.redisUrl));

    SwaggerModule.setup('api/docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'api/docs-json' });

    const webDist = config.webDist ?? path.join(repoRoot(), 'apps/web/dist');
    const server = app.getHttpAdapter().getInstance() as express.Express;
    if (existsSync(path.join(webDist, 'index.html'))) {
      server.use(express.static(webDist, { index: false, maxAge: '1h' }));
      server.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(webDist, 'index.html')));
    } else {
      server.get('/', (_req, res) => res.type('html').send(PLACEHOLDER_PAGE));
    }

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

/** The workspace root (the folder with nx.json), from either the sources or the build output. */
export function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'nx.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

const PLACEHOLDER_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>fapai 网络司法拍卖</title></head>
<body><h1>fapai 网络司法拍卖平台</h1><p>The web app is not built yet. API: <a href="/api/docs">/api/docs</a>, <a href="/api/lots">/api/lots</a>.</p></body></html>`;
