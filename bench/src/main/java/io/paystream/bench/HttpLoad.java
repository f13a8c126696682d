package io.paystream.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * HTTP/1.1 load on loopback over plain keep-alive sockets, one thread per connection, in the manner of wrk: the
 * client must cost far less CPU than the server it measures, which the JDK's HttpClient did not on two cores (it
 * capped Dropwizard's {@code /ping} near 800 requests/s). Two modes: a closed loop for the maximum rate (each
 * connection sends its next request when the last is answered), and an open loop at a fixed rate in the manner of
 * wrk2, whose latencies run from each request's intended start, however long it waited for a free connection.
 */
final class HttpLoad {
    /**
     * The outcome of a run.
     *
     * @param perSecond answered requests per second
     * @param latency microseconds, from the intended start (open loop) or the send (closed loop)
     * @param statuses count per HTTP status; 0 counts requests that failed (no connection, a timeout), and -1 (open
     *     loop only) the ones still unsent or unanswered when the run's time bound passed
     * @param connections the connections the run used
     */
    record Result(double perSecond, Histogram latency, Map<Integer, Long> statuses, int connections) {
        long count(int status) {
            return statuses.getOrDefault(status, 0L);
        }
    }

    /**
     * One request.
     *
     * @param uri where it goes (http, loopback)
     * @param method GET or POST
     * @param headers extra headers, name then value
     * @param body the body, or null
     */
    record Request(URI uri, String method, List<String> headers, String body) {
        static Request get(String uri, String... headers) {
            return new Request(URI.create(uri), "GET", List.of(headers), null);
        }

        static Request post(String uri, String body, String... headers) {
            return new Request(URI.create(uri), "POST", List.of(headers), body);
        }

        byte[] bytes() {
            StringBuilder text = new StringBuilder(256).append(method).append(' ').append(uri.getRawPath())
                    .append(" HTTP/1.1\r\nHost: ").append(uri.getHost()).append(':').append(uri.getPort())
                    .append("\r\n");
            for (int i = 0; i + 1 < headers.size(); i += 2) {
                text.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
            }
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                text.append("Content-Length: ").append(content.length).append("\r\n");
            }
            text.append("\r\n");
            byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[head.length + content.length];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(content, 0, all, head.length, content.length);
            return all;
        }
    }

    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int READ_TIMEOUT_MS = 10_000;
    /** Open loop: the connections it starts with; it opens more when a due time finds them all busy. */
    private static final int OPEN_LOOP_CONNECTIONS = 16;
    /** Open loop: at most this many connections; beyond them requests wait (and count the wait). */
    private static final int OPEN_LOOP_MAX_CONNECTIONS = 1_024;
    private static final long STOP = Long.MIN_VALUE;

    /** {@code connections} loops, each sending {@code requests.get()} back to back for {@code duration}. */
    Result closedLoop(Supplier<Request> requests, int connections, Duration duration) throws InterruptedException {
        Recorder latency = new Recorder(3);
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(daemon("bench-http-" + c, () -> {
                Connection connection = new Connection();
                try {
                    while (System.nanoTime() < end) {
                        long began = System.nanoTime();
                        int status = connection.exchange(requests.get());
                        record(latency, statuses, began, status);
                    }
                } finally {
                    connection.close();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(duration.toMillis() + READ_TIMEOUT_MS + 5_000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Histogram histogram = latency.getIntervalHistogram();
        return new Result(histogram.getTotalCount() / seconds, histogram, counts(statuses), connections);
    }

    /**
     * Starts {@code requests.get()} at {@code perSecond} for {@code duration}, then waits for the answers. A request
     * whose due time finds every connection busy gets a new connection (up to {@link #OPEN_LOOP_MAX_CONNECTIONS}), so
     * the latency is the server's, not a queue in this client: with a fixed pool of 64 connections at 1,000/s, every
     * request waited once the mean answer passed 64 ms (Little's law), and the figure measured the pool.
     */
    Result openLoop(Supplier<Request> requests, double perSecond, Duration duration) throws InterruptedException {
        Recorder latency = new Recorder(3);
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        // Room for every due time of the run, so that the schedule never waits for the connections.
        BlockingQueue<Long> due = new ArrayBlockingQueue<>((int) Math.ceil(perSecond * duration.toMillis() / 1000.0)
                + OPEN_LOOP_MAX_CONNECTIONS + 1_024);
        List<Thread> threads = new ArrayList<>();
        AtomicInteger idle = new AtomicInteger();
        Runnable worker = () -> {
            Connection connection = new Connection();
            try {
                while (true) {
                    idle.incrementAndGet();
                    long intended;
                    try {
                        intended = due.take();
                    } finally {
                        idle.decrementAndGet();
                    }
                    if (intended == STOP) {
                        return;
                    }
                    int status = connection.exchange(requests.get());
                    record(latency, statuses, intended, status);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                connection.close();
            }
        };
        for (int c = 0; c < OPEN_LOOP_CONNECTIONS; c++) {
            threads.add(daemon("bench-http-" + c, worker));
        }
        long start = System.nanoTime();
        OpenLoop.run(perSecond, duration, intended -> {
            if (idle.get() == 0 && threads.size() < OPEN_LOOP_MAX_CONNECTIONS) {
                threads.add(daemon("bench-http-" + threads.size(), worker));
            }
            due.add(intended);
        });
        for (int c = 0; c < threads.size(); c++) {
            due.add(STOP);
        }
        long limit = System.nanoTime() + duration.toNanos() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS) * 3;
        long stillRunning = 0;
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(limit - System.nanoTime())));
            if (thread.isAlive()) {
                thread.interrupt();
                stillRunning++;
            }
        }
        Histogram histogram = latency.getIntervalHistogram();
        Map<Integer, Long> counts = counts(statuses);
        // Requests never sent or never answered within the bound are missing from the histogram: say how many, as
        // status -1, so a saturated run cannot pass for a fast one.
        long unfinished = due.stream().filter(intended -> intended != STOP).count() + stillRunning;
        if (unfinished > 0) {
            counts.put(-1, unfinished);
        }
        return new Result(histogram.getTotalCount() / ((System.nanoTime() - start) / 1e9), histogram, counts,
                threads.size());
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void record(Recorder latency, Map<Integer, AtomicLong> statuses, long fromNanos, int status) {
        latency.recordValue(Math.max(0, System.nanoTime() - fromNanos) / 1_000);
        statuses.computeIfAbsent(status, key -> new AtomicLong()).incrementAndGet();
    }

    private static Map<Integer, Long> counts(Map<Integer, AtomicLong> statuses) {
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.get()));
        return counts;
    }

    /** One keep-alive connection; reconnects after an error or a {@code Connection: close}. */
    private static final class Connection {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        /** Sends the request and reads the whole answer; returns its status, or 0 if none came. */
        int exchange(Request request) {
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(request.uri().getHost(), request.uri().getPort()),
                            CONNECT_TIMEOUT_MS);
                    socket.setSoTimeout(READ_TIMEOUT_MS);
                    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    out = socket.getOutputStream();
                }
                out.write(request.bytes());
                out.flush();
                return readResponse();
            } catch (IOException | RuntimeException e) {
                close();
                return 0;
            }
        }

        private int readResponse() throws IOException {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closing = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    closing = true;
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";", -1)[0].trim(), 16); size > 0;
                        size = Long.parseLong(line().split(";", -1)[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                line();
            } else if (length > 0) {
                skip(length);
            }
            if (closing) {
                close();
            }
            return status;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed mid-response");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        private void skip(long bytes) throws IOException {
            long left = bytes;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed mid-body");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // already broken
                }
            }
            socket = null;
        }
    }
}
