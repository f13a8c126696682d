import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A PayStream webhook receiver with nothing but the JDK: {@code java examples/WebhookReceiver.java 9000 whsec_...}.
 * It verifies each request's signature, skips events it has already seen (delivery is at least once), prints the
 * event, and answers 204; a request that fails verification gets 400.
 */
public class WebhookReceiver {
    /** Refuse signatures older (or newer) than five minutes: a captured request cannot be replayed later. */
    static final long TOLERANCE_SECONDS = 300;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String secret = args[1];
        Set<String> seen = ConcurrentHashMap.newKeySet();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String signature = exchange.getRequestHeaders().getFirst("PayStream-Signature");
            if (!verify(signature, body, secret, System.currentTimeMillis() / 1000)) {
                System.out.println("refused (bad signature)");
                exchange.sendResponseHeaders(400, -1);
            } else {
                // De-duplicate on the id inside the signed body, never on the PayStream-Event-Id header: headers are
                // not signed, so anyone who replays a request could change the header and pass as a new event.
                System.out.println((seen.add(eventId(body)) ? "verified " : "duplicate ") + body);
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.start();
        System.out.println("listening on http://127.0.0.1:" + port + "/hook");
    }

    /** The event's id: the first field of the signed JSON body PayStream sends ({"id":"evt_...",...}). */
    static String eventId(String body) {
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("^\\{\\s*\"id\"\\s*:\\s*\"([^\"\\\\]+)\"")
                .matcher(body);
        return id.find() ? id.group(1) : body;
    }

    /**
     * True when {@code header} ({@code t=<unix seconds>,v1=<hex>[,v1=<hex>]}) holds a v1 signature of
     * {@code t + "." + body} under {@code secret}, and t is within the tolerance of now.
     */
    static boolean verify(String header, String body, String secret, long nowSeconds) {
        if (header == null) {
            return false;
        }
        long timestamp = -1;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] pair = part.split("=", 2);
            if (pair.length == 2 && pair[0].equals("t") && pair[1].matches("\\d{1,12}")) {
                timestamp = Long.parseLong(pair[1]);
            } else if (pair.length == 2 && pair[0].equals("v1")) {
                signatures.add(pair[1]);
            }
        }
        if (timestamp < 0 || Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body)
                    .getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
            for (String signature : signatures) {
                // Constant-time comparison: timing must not reveal how much of a forged signature was right.
                if (MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
