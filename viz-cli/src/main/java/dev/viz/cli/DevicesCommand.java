package dev.viz.cli;

import dev.viz.audio.AudioDevices;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code viz devices}: every device of every backend, with the id {@code --input} and {@code --output} accept. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List every sound device of every backend (PortAudio, Java Sound) with the id that --input"
                + " and --output accept.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : AudioDevices.describeDevices()) {
            out.println(line);
        }
        out.flush();
        return 0;
    }
}
