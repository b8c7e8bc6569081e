package dev.collabdev.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.server.configuration.ConfigurableServerModules;
import org.neo4j.server.configuration.ServerSettings;

/**
 * A throwaway Neo4j 5.26 for tests, in-process through neo4j-harness.
 *
 * <ul>
 *   <li>Bolt and HTTP listen on 127.0.0.1 only, on NEO4J_BOLT_PORT / NEO4J_HTTP_PORT, or on ports
 *       that are free at start when those are unset or 0.</li>
 *   <li>Authentication is off; the HTTP Query API (POST /db/neo4j/query/v2) is enabled.</li>
 *   <li>When ready it prints, on stdout and nothing else there (Neo4j's own output goes to stderr):
 *       <pre>NEO4J_URL=http://127.0.0.1:PORT
 * NEO4J_BOLT_URL=bolt://127.0.0.1:PORT</pre></li>
 *   <li>It stops on SIGTERM/SIGINT, and when its stdin reaches end of file (so a parent that dies
 *       takes it along) unless started with --no-stdin (for running in the background with stdin
 *       at /dev/null). The data lives in a temporary directory (NEO4J_WORK_DIR or java.io.tmpdir)
 *       that is deleted when it stops.</li>
 * </ul>
 */
public final class TestServer {
    private TestServer() {}

    public static void main(String[] args) throws Exception {
        boolean watchStdin = true;
        for (String a : args) {
            if (a.equals("--no-stdin")) {
                watchStdin = false;
            } else {
                System.err.println("usage: TestServer [--no-stdin]");
                System.exit(2);
            }
        }
        // Keep stdout for the address lines only.
        PrintStream out = System.out;
        System.setOut(System.err);

        // Ports are chosen before the start (not left to the OS at bind time) so that the addresses
        // Neo4j advertises, e.g. in the discovery document at GET /, are the real ones.
        int boltPort = port("NEO4J_BOLT_PORT");
        int httpPort = port("NEO4J_HTTP_PORT");
        if (boltPort == 0) boltPort = freePort();
        if (httpPort == 0) httpPort = freePort(boltPort);
        String base = System.getenv("NEO4J_WORK_DIR");
        Path workDir = base == null || base.isEmpty()
                ? Files.createTempDirectory("collabdev-neo4j-")
                : Files.createTempDirectory(Files.createDirectories(Path.of(base)), "collabdev-neo4j-");

        long t0 = System.nanoTime();
        Neo4j neo4j;
        try {
            neo4j = Neo4jBuilders.newInProcessBuilder(workDir)
                    .withConfig(GraphDatabaseSettings.auth_enabled, false)
                    .withConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                    .withConfig(BoltConnector.enabled, true)
                    .withConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                    .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", boltPort))
                    .withConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", boltPort))
                    .withConfig(HttpConnector.enabled, true)
                    .withConfig(HttpConnector.listen_address, new SocketAddress("127.0.0.1", httpPort))
                    .withConfig(HttpConnector.advertised_address, new SocketAddress("127.0.0.1", httpPort))
                    .withConfig(HttpsConnector.enabled, false)
                    .withConfig(ServerSettings.http_enabled_modules, EnumSet.of(
                            ConfigurableServerModules.TRANSACTIONAL_ENDPOINTS,
                            ConfigurableServerModules.UNMANAGED_EXTENSIONS,
                            ConfigurableServerModules.BROWSER,
                            ConfigurableServerModules.ENTERPRISE_MANAGEMENT_ENDPOINTS,
                            ConfigurableServerModules.QUERY_API_ENDPOINTS))
                    // A test database is tiny: don't size the page cache from the machine's RAM.
                    .withConfig(GraphDatabaseSettings.pagecache_memory, 64L * 1024 * 1024)
                    // Stop in about a second instead of ~10 s: Bolt's Netty event loops otherwise
                    // wait out a graceful-shutdown quiet period (nothing here needs one).
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(1))
                    .withConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                    .build();
        } catch (Throwable e) {
            deleteTree(workDir);
            throw e;
        }

        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (!stopped.compareAndSet(false, true)) return;
            long s0 = System.nanoTime();
            try {
                neo4j.close();
            } catch (Throwable e) {
                e.printStackTrace();
            } finally {
                deleteTree(workDir);
            }
            System.err.printf("neo4j: stopped in %d ms%n", (System.nanoTime() - s0) / 1_000_000);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "neo4j-stop"));

        URI http = neo4j.httpURI();
        URI bolt = neo4j.boltURI();
        System.err.printf("neo4j %s ready in %d ms (data in %s)%n",
                org.neo4j.kernel.internal.Version.getNeo4jVersion(), (System.nanoTime() - t0) / 1_000_000, workDir);
        out.println("NEO4J_URL=http://127.0.0.1:" + http.getPort());
        out.println("NEO4J_BOLT_URL=bolt://127.0.0.1:" + bolt.getPort());
        out.flush();

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard; we only wait for end of file
                    }
                } catch (IOException ignored) {
                    // treat as closed
                }
                System.err.println("neo4j: stdin closed, stopping");
                System.exit(0); // runs the shutdown hook
            }, "stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        // Park the main thread; the JVM ends through System.exit or a signal.
        Thread.currentThread().join();
    }

    private static int port(String env) {
        String v = System.getenv(env);
        if (v == null || v.isBlank()) return 0;
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 0 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            System.err.println(env + " must be a port number, got: " + v);
            System.exit(2);
            return 0;
        }
    }

    /** A port that is free on 127.0.0.1 now (and is not {@code avoid}). */
    private static int freePort(int... avoid) throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                if (avoid.length == 0 || p != avoid[0]) return p;
            }
        }
        throw new IOException("no free port");
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
