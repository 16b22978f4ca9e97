package dev.viz.transport.stream.internal;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP proxy to tunnel a WebSocket through (with {@code CONNECT}), as the user's environment
 * says: the JDK's own settings first ({@code -Dhttps.proxyHost}, {@code -Djava.net.useSystemProxies},
 * through {@link ProxySelector#getDefault()}), then the variables curl and most tools read:
 * {@code https_proxy}/{@code HTTPS_PROXY} for {@code wss}, {@code http_proxy}/{@code HTTP_PROXY} for
 * {@code ws}, {@code all_proxy}, and {@code no_proxy} (host suffixes, or {@code *}).
 */
public final class EnvironmentProxy {
    private EnvironmentProxy() {
    }

    /** The proxy for a connection to {@code host:port} ({@code secure}: wss), or null for a direct one. */
    public static InetSocketAddress select(String host, int port, boolean secure, Map<String, String> env) {
        ProxySelector jdk = ProxySelector.getDefault();
        if (jdk != null) {
            try {
                List<Proxy> proxies = jdk.select(URI.create((secure ? "https://" : "http://") + hostForUri(host) + ":" + port));
                for (Proxy p : proxies) {
                    if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress a) {
                        return a;
                    }
                }
            } catch (IllegalArgumentException ignored) {
                // a host the JDK cannot put in a URI: fall through to the environment
            }
        }
        if (isExcluded(host, first(env, "no_proxy", "NO_PROXY"))) {
            return null;
        }
        String value = secure ? first(env, "https_proxy", "HTTPS_PROXY") : first(env, "http_proxy", "HTTP_PROXY");
        if (value == null) {
            value = first(env, "all_proxy", "ALL_PROXY");
        }
        return value == null ? null : parse(value);
    }

    private static String hostForUri(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static String first(Map<String, String> env, String a, String b) {
        String v = env.get(a);
        if (v == null || v.isBlank()) {
            v = env.get(b);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    static boolean isExcluded(String host, String noProxy) {
        if (noProxy == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy.split(",")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                return true;
            }
            int colon = e.lastIndexOf(':');
            if (colon > 0 && e.indexOf(':') == colon) {
                e = e.substring(0, colon);
            }
            if (e.startsWith(".")) {
                e = e.substring(1);
            }
            if (h.equals(e) || h.endsWith("." + e)) {
                return true;
            }
        }
        return false;
    }

    /** {@code http://[user@]host:port[/]} or {@code host:port}; null when it is not an HTTP proxy. */
    static InetSocketAddress parse(String value) {
        try {
            URI uri = URI.create(value.contains("://") ? value : "http://" + value);
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                return null; // socks and https proxies are not supported here
            }
            return InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
