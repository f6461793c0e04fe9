// A cluster of the live stack for the scale scenario: one Redis, two livekit-server nodes sharing it
// (distinct ports, same keys), versitygw as S3, one embedded Postgres reached by every process
// through DATABASE_URL, and as many `serve` replicas and `agent` workers as a test starts. Each
// part is stopped by PID with the rest (reverse order), also when a test fails.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { RoomServiceClient } from 'livekit-server-sdk';
import postgres from 'postgres';
import { cliEnv, repoRoot, runCli, startCliProcess } from '../../stack/interviewctl.mjs';
import { DEFAULT_API_KEY, DEFAULT_API_SECRET, startLivekitServer } from '../../stack/livekit.mjs';
import { recordPostgresHome } from '../../stack/process.mjs';
import { startRedis } from '../../stack/redis.mjs';
import { s3ClientFor, startVersitygw } from '../../stack/versitygw.mjs';
import { artifactsRoot, assertIsolated, freePort, s3EnvFor, type CliResult, type Stoppable } from './stack.js';

export type CliProcess = Awaited<ReturnType<typeof startCliProcess>>;
export type LiveKitNode = Awaited<ReturnType<typeof startLivekitServer>> & { name: string; nodeId: string };

export interface Cluster {
  artifacts: string;
  logs: string;
  home: string;
  env: Record<string, string>;
  sql: postgres.Sql;
  nodes: LiveKitNode[];
  rooms: RoomServiceClient[];
  redis: Awaited<ReturnType<typeof startRedis>>;
  serveUrls: string[];
  cli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  /** Starts `interviewctl serve` number `n` on its port, talking to `node`. */
  startServe(n: number, node: LiveKitNode): Promise<CliProcess>;
  /** Starts `interviewctl agent` named `name`, connected to `node`. */
  startAgent(name: string, node: LiveKitNode, extra?: Record<string, string>): Promise<CliProcess>;
  getObject(key: string): Promise<Buffer>;
  own<T extends Stoppable>(part: T): T;
  stop(): Promise<void>;
}

const BUCKET = 'interviews';

export async function startCluster(opts: { scenario: string; serves: number; env?: Record<string, string> }): Promise<Cluster> {
  assertIsolated();
  const artifacts = join(artifactsRoot, opts.scenario);
  rmSync(artifacts, { recursive: true, force: true });
  const logs = join(artifacts, 'logs');
  mkdirSync(logs, { recursive: true });
  const owned: Stoppable[] = [];
  const own = <T extends Stoppable>(part: T): T => (owned.push(part), part);
  const stop = async () => {
    const errors: unknown[] = [];
    while (owned.length > 0) await owned.pop()!.stop().catch((err) => errors.push(err));
    if (errors.length > 0) throw new AggregateError(errors, `stopping the ${opts.scenario} cluster failed`);
  };
  try {
    const home = mkdtempSync(join(tmpdir(), 'ivc-e2e-cluster-'));
    chmodSync(home, 0o755);
    own({
      stop: async () => {
        mkdirSync(logs, { recursive: true });
        const pgLog = join(home, 'postgres', 'postgres.log');
        if (existsSync(pgLog)) copyFileSync(pgLog, join(logs, 'postgres.log'));
        rmSync(home, { recursive: true, force: true });
      },
    });
    const servePorts = await Promise.all(Array.from({ length: opts.serves }, () => freePort()));
    const serveUrls = servePorts.map((p) => `http://127.0.0.1:${p}`);
    const s3Port = await freePort();
    const baseEnv = cliEnv({
      INTERVIEWCTL_HOME: home,
      LIVEKIT_API_KEY: DEFAULT_API_KEY,
      LIVEKIT_API_SECRET: DEFAULT_API_SECRET,
      ...s3EnvFor(s3Port, BUCKET),
      ...opts.env,
    }) as Record<string, string>;
    const cliIn = (env: Record<string, string>) => (args: string[], o: { timeoutMs?: number } = {}) => runCli(args, { env, cwd: home, ...o }) as Promise<CliResult>;

    // One database for everyone: the embedded cluster of one INTERVIEWCTL_HOME, which every
    // process reaches through its Unix socket. (DATABASE_URL cannot name a socket folder: the
    // driver's URL parser takes no `host=` parameter.) The agents share the spool folder too; a
    // spool a running recorder holds is locked, so neither touches the other's.
    recordPostgresHome(home);
    own({
      stop: async () => {
        const res = await cliIn(baseEnv)(['db', 'stop']);
        if (res.code !== 0) throw new Error(`interviewctl db stop exited ${res.code}: ${res.stderr}`);
      },
    });
    const migrated = await cliIn(baseEnv)(['db', 'migrate']);
    if (migrated.code !== 0) throw new Error(`interviewctl db migrate exited ${migrated.code}:\n${migrated.stderr}`);
    const { embeddedPaths, embeddedConnection } = await import(join(repoRoot, 'dist', 'cli', 'adapters', 'db', 'embedded.js'));
    const conn = embeddedConnection(embeddedPaths(home));
    const env = baseEnv;
    const cli = cliIn(env);
    const sql = postgres({ ...conn, max: 3, onnotice: () => {} });
    own({ stop: () => sql.end({ timeout: 5 }) });

    const redis = own(await startRedis({ dir: join(home, 'redis'), port: await freePort() }));
    own({ stop: async () => copyFileSync(redis.logPath, join(logs, 'redis-server.log')) });

    // Two nodes, distinct ports, the same keys and Redis. Every node posts its webhooks to every
    // serve replica: each event reaches both (the hardest case for double effects), and with one
    // replica gone the other still gets them all. New rooms go to the node with fewer rooms.
    const nodes: LiveKitNode[] = [];
    for (const [i, name] of ['a', 'b'].entries()) {
      const port = 7880 + i * 10;
      const node = own(
        await startLivekitServer({
          dir: logs,
          logName: `livekit-${name}`,
          port,
          tcpPort: port + 1,
          udpPort: port + 2,
          webhookUrls: serveUrls.map((u) => `${u}/webhooks/livekit`),
          emptyTimeout: 30,
          departureTimeout: 20,
          redisAddress: redis.address,
          nodeSelector: { kind: 'any', sortBy: 'rooms' },
        }),
      );
      const nodeId = /"nodeID": "([^"]+)"/.exec(node.logText())?.[1];
      if (!nodeId) throw new Error(`livekit-${name} did not log its node id`);
      nodes.push({ ...node, name, nodeId });
    }

    const gw = own(await startVersitygw({ dir: join(home, 's3'), port: s3Port, accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }));
    const s3 = s3ClientFor(gw);
    own({ stop: async () => s3.destroy() });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    let serveRuns = 0;
    return {
      artifacts,
      logs,
      home,
      env,
      sql,
      nodes,
      rooms: nodes.map((n) => new RoomServiceClient(n.httpUrl, DEFAULT_API_KEY, DEFAULT_API_SECRET)),
      redis,
      serveUrls,
      cli,
      async startServe(n, node) {
        const url = serveUrls[n]!;
        const serveEnv = { ...env, PORT: String(servePorts[n]), PUBLIC_URL: url, LIVEKIT_URL: node.url };
        return own(
          await startCliProcess(['serve'], {
            env: serveEnv,
            cwd: home,
            logPath: join(logs, `serve-${n}-${++serveRuns}.log`),
            what: `interviewctl serve on ${url}`,
            ready: async () => {
              try {
                const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
                const body = (await res.json()) as { db?: boolean; livekit?: boolean };
                return res.ok && body.db === true && body.livekit === true;
              } catch {
                return false;
              }
            },
          }),
        );
      },
      async startAgent(name, node, extra = {}) {
        const logPath = join(logs, `agent-${name}.log`);
        return own(
          await startCliProcess(['agent'], {
            env: { ...env, PUBLIC_URL: serveUrls[0]!, LIVEKIT_URL: node.url, ...extra },
            cwd: home,
            logPath,
            what: `interviewctl agent ${name}`,
            readyTimeoutMs: 90_000,
            ready: async () => existsSync(logPath) && /agent worker registered/.test(readFileSync(logPath, 'utf8')),
          }),
        );
      },
      async getObject(key) {
        const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return Buffer.from(await res.Body!.transformToByteArray());
      },
      own,
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
