package dev.viz.transport.secure.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Noise handshake pattern (Noise specification, revision 34, sections 7 and 9): pre-messages and
 * message token lists, with the {@code pskN} modifiers applied. Knows every fundamental and
 * deferred interactive pattern and the one-way patterns; the secure layer itself uses only
 * {@link #XX} and {@link #XX_PSK3}.
 *
 * <p>Immutable and thread-safe.
 */
public final class HandshakePattern {
    /** A token of a message pattern. */
    public enum Token {
        E, S, EE, ES, SE, SS, PSK
    }

    private static final Map<String, String[]> BASE = Map.ofEntries(
            // name -> {pre-message of the initiator, of the responder, message 1, message 2, ...}
            Map.entry("N", new String[] {"", "s", "e,es"}),
            Map.entry("K", new String[] {"s", "s", "e,es,ss"}),
            Map.entry("X", new String[] {"", "s", "e,es,s,ss"}),
            Map.entry("NN", new String[] {"", "", "e", "e,ee"}),
            Map.entry("NK", new String[] {"", "s", "e,es", "e,ee"}),
            Map.entry("NX", new String[] {"", "", "e", "e,ee,s,es"}),
            Map.entry("KN", new String[] {"s", "", "e", "e,ee,se"}),
            Map.entry("KK", new String[] {"s", "s", "e,es,ss", "e,ee,se"}),
            Map.entry("KX", new String[] {"s", "", "e", "e,ee,se,s,es"}),
            Map.entry("XN", new String[] {"", "", "e", "e,ee", "s,se"}),
            Map.entry("XK", new String[] {"", "s", "e,es", "e,ee", "s,se"}),
            Map.entry("XX", new String[] {"", "", "e", "e,ee,s,es", "s,se"}),
            Map.entry("IN", new String[] {"", "", "e,s", "e,ee,se"}),
            Map.entry("IK", new String[] {"", "s", "e,es,s,ss", "e,ee,se"}),
            Map.entry("IX", new String[] {"", "", "e,s", "e,ee,se,s,es"}),
            Map.entry("NK1", new String[] {"", "s", "e", "e,ee,es"}),
            Map.entry("NX1", new String[] {"", "", "e", "e,ee,s", "es"}),
            Map.entry("X1N", new String[] {"", "", "e", "e,ee", "s", "se"}),
            Map.entry("X1K", new String[] {"", "s", "e,es", "e,ee", "s", "se"}),
            Map.entry("XK1", new String[] {"", "s", "e", "e,ee,es", "s,se"}),
            Map.entry("X1K1", new String[] {"", "s", "e", "e,ee,es", "s", "se"}),
            Map.entry("X1X", new String[] {"", "", "e", "e,ee,s,es", "s", "se"}),
            Map.entry("XX1", new String[] {"", "", "e", "e,ee,s", "es,s,se"}),
            Map.entry("X1X1", new String[] {"", "", "e", "e,ee,s", "es,s", "se"}),
            Map.entry("K1N", new String[] {"s", "", "e", "e,ee", "se"}),
            Map.entry("K1K", new String[] {"s", "s", "e,es", "e,ee", "se"}),
            Map.entry("KK1", new String[] {"s", "s", "e", "e,ee,se,es"}),
            Map.entry("K1K1", new String[] {"s", "s", "e", "e,ee,es", "se"}),
            Map.entry("K1X", new String[] {"s", "", "e", "e,ee,s,es", "se"}),
            Map.entry("KX1", new String[] {"s", "", "e", "e,ee,se,s", "es"}),
            Map.entry("K1X1", new String[] {"s", "", "e", "e,ee,s", "se,es"}),
            Map.entry("I1N", new String[] {"", "", "e,s", "e,ee", "se"}),
            Map.entry("I1K", new String[] {"", "s", "e,es,s", "e,ee", "se"}),
            Map.entry("IK1", new String[] {"", "s", "e,s", "e,ee,se,es"}),
            Map.entry("I1K1", new String[] {"", "s", "e,s", "e,ee,es", "se"}),
            Map.entry("I1X", new String[] {"", "", "e,s", "e,ee,s,es", "se"}),
            Map.entry("IX1", new String[] {"", "", "e,s", "e,ee,se,s", "es"}),
            Map.entry("I1X1", new String[] {"", "", "e,s", "e,ee,s", "se,es"}));

    private static final String SUITE = "_25519_ChaChaPoly_BLAKE2b";

    /** The secure layer's default: mutual authentication by static keys, verified by code or pin. */
    public static final HandshakePattern XX = forProtocol("Noise_XX" + SUITE);
    /** With a pre-shared key mixed in at the end of the third message. */
    public static final HandshakePattern XX_PSK3 = forProtocol("Noise_XXpsk3" + SUITE);

    private final String protocolName;
    private final Token[] initiatorPreMessage;
    private final Token[] responderPreMessage;
    private final Token[][] messages;
    private final boolean oneWay;
    private final int pskCount;

    private HandshakePattern(String protocolName, Token[] initiatorPreMessage, Token[] responderPreMessage,
            Token[][] messages, boolean oneWay, int pskCount) {
        this.protocolName = protocolName;
        this.initiatorPreMessage = initiatorPreMessage;
        this.responderPreMessage = responderPreMessage;
        this.messages = messages;
        this.oneWay = oneWay;
        this.pskCount = pskCount;
    }

    /**
     * The pattern of a full protocol name such as {@code Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b}.
     *
     * @throws IllegalArgumentException for another cipher suite or an unknown pattern
     */
    public static HandshakePattern forProtocol(String protocolName) {
        if (!protocolName.startsWith("Noise_") || !protocolName.endsWith(SUITE)) {
            throw new IllegalArgumentException("unsupported protocol " + protocolName + ": only *" + SUITE);
        }
        String name = protocolName.substring("Noise_".length(), protocolName.length() - SUITE.length());
        int modifiersAt = 0;
        while (modifiersAt < name.length()
                && (Character.isUpperCase(name.charAt(modifiersAt)) || Character.isDigit(name.charAt(modifiersAt)))) {
            modifiersAt++;
        }
        String base = name.substring(0, modifiersAt);
        String[] definition = BASE.get(base);
        if (definition == null) {
            throw new IllegalArgumentException("unknown handshake pattern " + base);
        }
        List<List<Token>> messages = new ArrayList<>();
        for (int i = 2; i < definition.length; i++) {
            messages.add(new ArrayList<>(List.of(tokens(definition[i]))));
        }
        int pskCount = 0;
        if (modifiersAt < name.length()) {
            for (String modifier : name.substring(modifiersAt).split("\\+")) {
                if (!modifier.startsWith("psk")) {
                    throw new IllegalArgumentException("unsupported modifier " + modifier);
                }
                int position = Integer.parseInt(modifier.substring(3));
                if (position == 0) {
                    messages.get(0).add(0, Token.PSK);
                } else if (position <= messages.size()) {
                    messages.get(position - 1).add(Token.PSK);
                } else {
                    throw new IllegalArgumentException("modifier " + modifier + " past the last message");
                }
                pskCount++;
            }
        }
        Token[][] array = new Token[messages.size()][];
        for (int i = 0; i < array.length; i++) {
            array[i] = messages.get(i).toArray(new Token[0]);
        }
        return new HandshakePattern(protocolName, tokens(definition[0]), tokens(definition[1]), array,
                base.length() == 1, pskCount);
    }

    private static Token[] tokens(String list) {
        if (list.isEmpty()) {
            return new Token[0];
        }
        String[] names = list.split(",");
        Token[] tokens = new Token[names.length];
        for (int i = 0; i < names.length; i++) {
            tokens[i] = Token.valueOf(names[i].toUpperCase(java.util.Locale.ROOT));
        }
        return tokens;
    }

    public String protocolName() {
        return protocolName;
    }

    Token[] initiatorPreMessage() {
        return initiatorPreMessage;
    }

    Token[] responderPreMessage() {
        return responderPreMessage;
    }

    public int messageCount() {
        return messages.length;
    }

    Token[] message(int index) {
        return messages[index];
    }

    /** One-way patterns (N, K, X): only the initiator ever sends, also after the handshake. */
    public boolean isOneWay() {
        return oneWay;
    }

    /** Whether the pattern has a {@code psk} modifier (then {@code e} tokens also call MixKey). */
    public boolean isPskMode() {
        return pskCount > 0;
    }

    public int pskCount() {
        return pskCount;
    }

    @Override
    public String toString() {
        return protocolName;
    }
}
