package dev.whyflow.testing;

import dev.whyflow.sql.StoreConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the test's PostgreSQL that a test can cut and restore, to show what a
 * client of the store does in an outage without stopping the shared server. {@link #blackhole()} is
 * a network partition: connections stay open but no byte passes, and new ones are accepted and left
 * hanging (the hard case: only timeouts end the wait). {@link #refuse()} is a server that is gone:
 * open connections are closed and new ones closed at once. {@link #restore()} forwards again
 * (connections from during the outage are closed: their clients have given up on them).
 */
public final class StoreProxy implements AutoCloseable {

    private enum Mode {
        FORWARD,
        BLACKHOLE,
        REFUSE
    }

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.FORWARD;
    private volatile boolean closed;

    private StoreProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "store-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** A proxy to the server of {@code store}'s URL. */
    public static StoreProxy to(StoreConnection store) throws IOException {
        URI uri = URI.create(store.url().substring("jdbc:".length()));
        return new StoreProxy(
                new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort()));
    }

    /** The same database and credentials, through this proxy. */
    public StoreConnection through(StoreConnection store) {
        String rest =
                store.url().substring(store.url().indexOf('/', "jdbc:postgresql://".length()));
        return new StoreConnection(
                "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + rest,
                store.user(),
                store.password());
    }

    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
        for (Link l : links) l.frozen = true;
    }

    public synchronized void refuse() {
        mode = Mode.REFUSE;
        for (Link l : links) l.close();
        closeHeld();
    }

    public synchronized void restore() {
        for (Link l : links) if (l.frozen) l.close();
        closeHeld();
        mode = Mode.FORWARD;
    }

    private void closeHeld() {
        for (Socket s : held) quietly(s);
        held.clear();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            synchronized (this) {
                switch (mode) {
                    case REFUSE -> quietly(client);
                    case BLACKHOLE -> held.add(client);
                    case FORWARD -> {
                        try {
                            Socket server = new Socket();
                            server.connect(upstream, 2_000);
                            Link l = new Link(client, server);
                            links.add(l);
                            l.start();
                        } catch (IOException e) {
                            quietly(client);
                        }
                    }
                }
            }
        }
    }

    /** One client connection and its connection to the server, a pump each way. */
    private final class Link {
        final Socket client;
        final Socket server;
        volatile boolean frozen;
        volatile boolean done;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() throws IOException {
            pump(client.getInputStream(), server.getOutputStream(), "up");
            pump(server.getInputStream(), client.getOutputStream(), "down");
        }

        private void pump(InputStream in, OutputStream out, String way) {
            Thread t =
                    new Thread(
                            () -> {
                                byte[] buf = new byte[16 * 1024];
                                try {
                                    int n;
                                    while ((n = in.read(buf)) >= 0) {
                                        while (frozen && !done)
                                            Thread.sleep(
                                                    20); // a partition: nothing passes, nothing is
                                        // closed
                                        if (done) break;
                                        out.write(buf, 0, n);
                                        out.flush();
                                    }
                                } catch (IOException | InterruptedException e) {
                                    // the other side closed, or the proxy cut the link
                                } finally {
                                    close();
                                }
                            },
                            "store-proxy-" + way);
            t.setDaemon(true);
            t.start();
        }

        void close() {
            done = true;
            quietly(client);
            quietly(server);
            links.remove(this);
        }
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Link l : links) l.close();
        closeHeld();
    }
}
