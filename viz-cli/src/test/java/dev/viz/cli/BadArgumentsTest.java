package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(120)
class BadArgumentsTest {
    @TempDir
    Path home;

    @ParameterizedTest(name = "viz {0} -> \"{1}\"")
    @CsvSource(delimiter = '|', value = {
        "''                                         | say whether to listen",
        "-s 8443 -c localhost:8443                  | not both",
        "-s abc                                     | 'abc'",
        "-s 70000                                   | -s 70000: the port must be 1 to 65535",
        "-c nocolon                                 | is not HOST:PORT",
        "-c host:0                                  | port",
        "-s 9 --frame-ms 30                         | --frame-ms 30",
        "-s 9 --batch 0                             | --batch 0",
        "-s 9 --bitrate 1000                        | --bitrate 1000",
        "-s 9 --complexity 11                       | --complexity 11: use 0 to 10",
        "-s 9 --duration -5                         | --duration",
        "-s 9 --input bogus:x                       | bogus",
        "-s 9 --input silence --output tone:440      | tone",
        "-s 9 --max-datagram 100                    | --max-datagram 100",
        "-c host:9 --connect-timeout soon           | --connect-timeout soon: use a time such as 30s",
        "-s 9 --connect-timeout 5s                  | --connect-timeout applies to the calling side",
        "-s 9 --max-datagram 1199                   | --max-datagram 1199: use 1200 to 65507",
        "-s 9 --input wav:no-such-file.wav --output null | no such file",
        "--no-such-flag                             | Unknown option",
        "-s 9 --profile fast                        | profile 'fast': use tunnel or low-latency",
        "-s 9 --redundancy maybe                    | --redundancy maybe: use auto, on or off",
        "-s 9 --direct maybe                        | --direct maybe: use on or off",
        "-c host:9 --stun nowhere                   | --stun nowhere: use HOST:PORT",
        "-s 9 --input silence --output null --codec mp3 | codec 'mp3'",
        "-s 9 --input silence --output null --simulate loss=abc | loss",
        "-c ftp://host:21                           | unknown scheme ftp://",
        "-c tcp://host                              | needs a port",
        "-s 9 --carriers udp,sctp                   | --carriers sctp: use udp, tcp and ws",
        "-s 9 --carriers tcp --max-datagram 20000   | 16384",
        "-s --input silence --output null           | -s needs a PORT, or --relay URI",
        "-s --relay turn:nocreds@127.0.0.1:9 --input silence | write the credentials as USER:PASS@",
        "-s --relay http://x --input silence        | is not a TURN URI",
        "-c viz:relay?peer=1.2.3.4:5 --input silence | the invite has no 'turn'",
        "-c host:9 --relay turn:a:b@h --input silence | --relay and --relay-secret are for the listener",
        "-s 9 --input silence --output null --aec maybe | --aec maybe: use on, off or auto",
    })
    void shouldExplainBadArgumentsAndExitWithStatus2(String args, String expected) throws Exception {
        String[] argv = args.isBlank() ? new String[0] : args.trim().split("\\s+");
        CliProcess viz = CliProcess.start(home, "bad", argv);
        int status = viz.await(30);
        String err = viz.stderr();
        assertEquals(2, status, err);
        assertTrue(err.startsWith("viz: "), "a one-line error first: " + err);
        assertTrue(err.contains(expected), "says what is wrong (" + expected + "): " + err);
        assertTrue(err.contains("Usage: viz"), "then the usage: " + err);
        assertFalse(err.contains("picocli WARN"), "the usage formats cleanly: " + err);
    }

    @Test
    void shouldPrintUsageForHelpInEveryFormAndExit0() throws Exception {
        for (String[] argv : new String[][] {{"-h"}, {"--help"}, {"help"}}) {
            CliProcess viz = CliProcess.start(home, "help", argv);
            assertEquals(0, viz.await(30), String.join(" ", argv));
            assertTrue(viz.stdout().contains("Usage: viz"), viz.stdout());
            assertTrue(viz.stdout().contains("-s, --listen[=PORT]"), viz.stdout());
            assertTrue(viz.stdout().contains("loss=5%,jitter=40ms"), "the --simulate example, % and all: " + viz.stdout());
            assertFalse(viz.stderr().contains("picocli WARN"), "no format warnings: " + viz.stderr());
        }
    }

    @Test
    void shouldPrintTheVersion() throws Exception {
        CliProcess viz = CliProcess.start(home, "version", "-V");
        assertEquals(0, viz.await(30));
        assertTrue(viz.stdout().startsWith("viz "), viz.stdout());
    }
}
