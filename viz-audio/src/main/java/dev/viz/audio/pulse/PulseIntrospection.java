package dev.viz.audio.pulse;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's sources and sinks and its defaults, asked through PulseAudio's asynchronous API
 * ({@code pulse/introspect.h}, {@code libpulse.so.0}). Only {@code viz devices} asks, so its
 * calls, which take callbacks, are bound with a JNA interface at the first call; the main loop and
 * context are {@link PulseNative}'s. It runs its own main loop on the calling thread until the
 * answers are in or {@code timeoutMs} has passed.
 *
 * <p>Struct reading: {@code pa_source_info} and {@code pa_sink_info} both begin with
 * {@code const char *name; uint32_t index; const char *description;}, so the description is two
 * pointers in on every ABI; {@code pa_server_info} begins with four strings and a
 * {@code pa_sample_spec} (12 bytes), then {@code default_sink_name} and {@code default_source_name}.
 */
final class PulseIntrospection {
    /** What the server has: each device's name and description, and which are the defaults. */
    record Listing(List<Device> sources, List<Device> sinks, String defaultSource, String defaultSink) {
    }

    /** A source or sink: the name {@code pulse:NAME} takes and the server's description of it. */
    record Device(String name, String description) {
    }

    private static final int PA_OPERATION_RUNNING = 0;
    private static final int STEP_US = 50_000;

    /**
     * The introspection calls, which take callbacks; the main loop and context calls are
     * {@link PulseNative}'s direct mappings, as the devices' streams use them.
     */
    public interface LibPulse extends Library {
        Pointer pa_context_get_source_info_list(Pointer context, InfoCallback callback, Pointer userdata);

        Pointer pa_context_get_sink_info_list(Pointer context, InfoCallback callback, Pointer userdata);

        Pointer pa_context_get_server_info(Pointer context, ServerInfoCallback callback, Pointer userdata);

        int pa_operation_get_state(Pointer operation);

        void pa_operation_unref(Pointer operation);
    }

    /** {@code pa_source_info_cb_t} and {@code pa_sink_info_cb_t}: one call per device, then one with {@code eol} set. */
    public interface InfoCallback extends Callback {
        void invoke(Pointer context, Pointer info, int eol, Pointer userdata);
    }

    /** {@code pa_server_info_cb_t}. */
    public interface ServerInfoCallback extends Callback {
        void invoke(Pointer context, Pointer info, Pointer userdata);
    }

    private static final class Holder {
        static final LibPulse LIB = load();

        private static LibPulse load() {
            try {
                return Native.load("pulse", LibPulse.class);
            } catch (UnsatisfiedLinkError first) {
                try {
                    return Native.load("libpulse.so.0", LibPulse.class);
                } catch (UnsatisfiedLinkError second) {
                    second.addSuppressed(first);
                    throw second;
                }
            }
        }
    }

    private PulseIntrospection() {
    }

    /**
     * Connects to the server (never starting one) and asks for its sources, sinks and defaults. Only after
     * {@link PulseBackend#ensureAvailability()}: the error texts come from {@link PulseNative#pa_strerror}.
     *
     * @throws IOException when libpulse does not load, no server answers, or the answers do not come in {@code timeoutMs}
     */
    static Listing list(long timeoutMs) throws IOException {
        LibPulse lib;
        try {
            lib = Holder.LIB;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("libpulse does not load: " + e.getMessage(), e);
        }
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        Pointer mainloop = PulseNative.pa_mainloop_new();
        if (mainloop == null) {
            throw new IOException("libpulse could not make a main loop");
        }
        Pointer context = PulseNative.pa_context_new(PulseNative.pa_mainloop_get_api(mainloop), PulseBackend.CLIENT_NAME);
        List<Device> sources = new ArrayList<>();
        List<Device> sinks = new ArrayList<>();
        String[] defaults = new String[2];
        InfoCallback onSource = (c, info, eol, userdata) -> add(sources, info, eol);
        InfoCallback onSink = (c, info, eol, userdata) -> add(sinks, info, eol);
        ServerInfoCallback onServer = (c, info, userdata) -> {
            if (info != null) {
                long at = align(4L * Native.POINTER_SIZE + 12, Native.POINTER_SIZE);
                defaults[0] = string(info, at + Native.POINTER_SIZE);
                defaults[1] = string(info, at);
            }
        };
        try {
            if (context == null) {
                throw new IOException("libpulse could not make a context");
            }
            if (PulseNative.pa_context_connect(context, null, PulseNative.PA_CONTEXT_NOAUTOSPAWN, null) < 0) {
                throw new IOException(PulseNative.pa_strerror(PulseNative.pa_context_errno(context)));
            }
            int state;
            while ((state = PulseNative.pa_context_get_state(context)) != PulseNative.PA_CONTEXT_READY) {
                if (state == PulseNative.PA_CONTEXT_FAILED || state == PulseNative.PA_CONTEXT_TERMINATED) {
                    throw new IOException(PulseNative.pa_strerror(PulseNative.pa_context_errno(context)));
                }
                step(mainloop, deadlineNs);
            }
            await(lib, mainloop, lib.pa_context_get_source_info_list(context, onSource, null), deadlineNs);
            await(lib, mainloop, lib.pa_context_get_sink_info_list(context, onSink, null), deadlineNs);
            await(lib, mainloop, lib.pa_context_get_server_info(context, onServer, null), deadlineNs);
            return new Listing(List.copyOf(sources), List.copyOf(sinks), defaults[0], defaults[1]);
        } finally {
            if (context != null) {
                PulseNative.pa_context_disconnect(context);
                PulseNative.pa_context_unref(context);
            }
            PulseNative.pa_mainloop_free(mainloop);
            // libpulse holds the callbacks only natively: keep them from the collector until it is done with them.
            Reference.reachabilityFence(onSource);
            Reference.reachabilityFence(onSink);
            Reference.reachabilityFence(onServer);
        }
    }

    private static void add(List<Device> devices, Pointer info, int eol) {
        if (eol == 0 && info != null) {
            String name = string(info, 0);
            if (name != null) {
                String description = string(info, 2L * Native.POINTER_SIZE);
                devices.add(new Device(name, description == null ? "" : description));
            }
        }
    }

    private static String string(Pointer struct, long offset) {
        Pointer p = struct.getPointer(offset);
        return p == null ? null : p.getString(0, "UTF-8");
    }

    private static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static void await(LibPulse lib, Pointer mainloop, Pointer operation, long deadlineNs) throws IOException {
        if (operation == null) {
            throw new IOException("the server refused the question");
        }
        try {
            while (lib.pa_operation_get_state(operation) == PA_OPERATION_RUNNING) {
                step(mainloop, deadlineNs);
            }
        } finally {
            lib.pa_operation_unref(operation);
        }
    }

    /** One turn of the main loop, waiting at most {@value #STEP_US} us for the server. */
    private static void step(Pointer mainloop, long deadlineNs) throws IOException {
        if (System.nanoTime() > deadlineNs) {
            throw new IOException("the server did not answer in time");
        }
        if (PulseNative.pa_mainloop_prepare(mainloop, STEP_US) < 0 || PulseNative.pa_mainloop_poll(mainloop) < 0
                || PulseNative.pa_mainloop_dispatch(mainloop) < 0) {
            throw new IOException("libpulse's main loop failed");
        }
    }
}
