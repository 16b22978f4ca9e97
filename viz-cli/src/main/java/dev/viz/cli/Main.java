package dev.viz.cli;

import picocli.CommandLine;

/** {@code java -jar viz-cli.jar}: sets up logging before anything logs, then runs {@link VizCommand}. */
public final class Main {
    /** Bad arguments. */
    public static final int EXIT_USAGE = 2;
    /** The call could not be made or failed. */
    public static final int EXIT_FAILURE = 1;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Logging.configure(isDebug(args));
        CommandLine cli = VizCommand.commandLine();
        return cli.execute(args);
    }

    private static boolean isDebug(String[] args) {
        for (String arg : args) {
            if (arg.equals("-d") || arg.equals("--debug")) {
                return true;
            }
            if (arg.equals("--")) {
                break;
            }
        }
        return false;
    }
}
