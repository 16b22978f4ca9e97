package dev.viz.transport.stream.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The head of an HTTP/1.1 request or response (RFC 9112): the start line and the few header
 * fields a WebSocket upgrade needs. Parsed once per connection, from at most {@link #MAX_HEAD_BYTES};
 * everything else in the head is ignored. Never throws on bad input: {@link #parseRequest} and
 * {@link #parseResponse} return null.
 */
public final class HttpHead {
    /** The longest head read: a longer one is refused (431) without reading on. */
    public static final int MAX_HEAD_BYTES = 4096;
    /** The GUID RFC 6455 section 1.3 appends to the client's key. */
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** Request method, or null for a response. */
    public final String method;
    /** Request target (path and query), or null for a response. */
    public final String target;
    /** Response status code, or 0 for a request. */
    public final int status;
    public final String upgrade;
    public final String connection;
    public final String webSocketKey;
    public final String webSocketVersion;
    public final String webSocketAccept;
    public final String host;

    private HttpHead(String method, String target, int status, String[] fields) {
        this.method = method;
        this.target = target;
        this.status = status;
        this.upgrade = fields[0];
        this.connection = fields[1];
        this.webSocketKey = fields[2];
        this.webSocketVersion = fields[3];
        this.webSocketAccept = fields[4];
        this.host = fields[5];
    }

    private static final String[] NAMES = {"upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
        "sec-websocket-accept", "host"};

    /**
     * Where the head in {@code buffer[start .. end)} ends: the index just past its empty line, or
     * -1 when it is not complete yet.
     */
    public static int headEnd(byte[] buffer, int start, int end) {
        for (int i = start + 3; i < end; i++) {
            if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a request head ending with its empty line; null when it is not a valid HTTP/1.1 request head. */
    public static HttpHead parseRequest(byte[] buffer, int start, int end) {
        String[] lines = lines(buffer, start, end);
        if (lines == null) {
            return null;
        }
        String[] parts = lines[0].split(" ", -1);
        if (parts.length != 3 || !parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")
                || !isToken(parts[0]) || parts[1].isEmpty() || parts[1].charAt(0) != '/') {
            return null;
        }
        String[] fields = fields(lines);
        return fields == null ? null : new HttpHead(parts[0], parts[1], 0, fields);
    }

    /** Parses a response head ending with its empty line; null when it is not a valid HTTP/1.x response head. */
    public static HttpHead parseResponse(byte[] buffer, int start, int end) {
        String[] lines = lines(buffer, start, end);
        if (lines == null || !lines[0].startsWith("HTTP/1.") || lines[0].length() < 12 || lines[0].charAt(8) != ' ') {
            return null;
        }
        int code;
        try {
            code = Integer.parseInt(lines[0].substring(9, 12));
        } catch (NumberFormatException e) {
            return null;
        }
        String[] fields = fields(lines);
        return fields == null || code < 100 ? null : new HttpHead(null, null, code, fields);
    }

    private static String[] lines(byte[] buffer, int start, int end) {
        int length = end - start;
        if (length < 4 || length > MAX_HEAD_BYTES) {
            return null;
        }
        for (int i = start; i < end; i++) {
            byte b = buffer[i];
            if (b < 0 || b == 0 || (b < 0x20 && b != '\r' && b != '\n' && b != '\t')) {
                return null; // HTTP heads are ASCII here; anything else is not a client of ours
            }
        }
        String text = new String(buffer, start, length, StandardCharsets.US_ASCII);
        if (!text.endsWith("\r\n\r\n")) {
            return null;
        }
        String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
        return lines.length == 0 || lines[0].isEmpty() ? null : lines;
    }

    private static String[] fields(String[] lines) {
        String[] values = new String[NAMES.length];
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                return null;
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            for (int n = 0; n < NAMES.length; n++) {
                if (NAMES[n].equals(name)) {
                    String value = line.substring(colon + 1).trim();
                    values[n] = values[n] == null ? value : values[n] + ", " + value;
                }
            }
        }
        return values;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether a comma-separated field contains {@code token}, ignoring case. */
    public static boolean hasToken(String field, String token) {
        if (field == null) {
            return false;
        }
        for (String part : field.split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this request asks for a WebSocket (RFC 6455 section 4.2.1), whatever the path. */
    public boolean isWebSocketUpgrade() {
        return "GET".equals(method) && hasToken(upgrade, "websocket") && hasToken(connection, "upgrade")
                && webSocketKey != null && isValidKey(webSocketKey);
    }

    private static boolean isValidKey(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The request target without its query. */
    public String path() {
        if (target == null) {
            return null;
        }
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** {@code Sec-WebSocket-Accept} for a client's key: base64(SHA-1(key + GUID)). */
    public static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }
}
