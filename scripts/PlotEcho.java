import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Plots the echo level before and after processing over time from the CSV that EchoMeasurement
 * writes (delay_ms,time_s,echo_dbfs_before,echo_dbfs_after) as a PNG, with the JDK only:
 *
 * <pre>
 * java scripts/PlotEcho.java docs/audio-processing-echo.csv docs/audio-processing-echo.png
 * </pre>
 */
public class PlotEcho {
    static final int W = 1000;
    static final int H = 520;
    static final int LEFT = 70;
    static final int RIGHT = 20;
    static final int TOP = 40;
    static final int BOTTOM = 60;
    static final double MIN_DB = -110;
    static final double MAX_DB = 0;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java scripts/PlotEcho.java IN.csv OUT.png");
            System.exit(2);
        }
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        double maxT = 0;
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank() || line.startsWith("delay")) {
                continue;
            }
            String[] f = line.split(",");
            double t = Double.parseDouble(f[1]);
            maxT = Math.max(maxT, t);
            series.computeIfAbsent("before " + f[0], k -> new ArrayList<>()).add(new double[] {t, Double.parseDouble(f[2])});
            series.computeIfAbsent("after " + f[0], k -> new ArrayList<>()).add(new double[] {t, Double.parseDouble(f[3])});
        }
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(new Color(225, 225, 225));
        for (double db = MIN_DB; db <= MAX_DB; db += 10) {
            g.drawLine(LEFT, y(db), W - RIGHT, y(db));
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
        for (double db = MIN_DB; db <= MAX_DB; db += 20) {
            g.drawString(String.format("%.0f", db), LEFT - 40, y(db) + 5);
        }
        for (int s = 0; s <= maxT; s += 2) {
            int x = x(s, maxT);
            g.drawLine(x, H - BOTTOM, x, H - BOTTOM + 5);
            g.drawString(s + "", x - 5, H - BOTTOM + 20);
        }
        g.drawString("time (s)", W / 2 - 20, H - 15);
        g.drawString("echo level (dBFS, 100 ms RMS)", 10, 25);
        g.drawString("speexdsp echo cancellation on the software echo path: before (grey) and after, by echo delay",
                LEFT + 150, 25);
        Color[] colors = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115)};
        int c = 0;
        int legendY = TOP + 20;
        boolean beforeDrawn = false;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            boolean before = e.getKey().startsWith("before");
            if (before && beforeDrawn) {
                continue; // the far end's echo is the same speech at every delay, shifted: draw one
            }
            Color color = before ? new Color(150, 150, 150) : colors[c++ % colors.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(before ? 1.2f : 1.6f));
            int px = -1;
            int py = -1;
            for (double[] p : e.getValue()) {
                int x = x(p[0], maxT);
                int y = y(Math.max(MIN_DB, p[1]));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            String label = before ? "before (" + e.getKey().substring(7) + " ms path)" : "after, " + e.getKey().substring(6) + " ms delay";
            g.fillRect(W - RIGHT - 220, legendY - 9, 20, 4);
            g.setColor(Color.BLACK);
            g.drawString(label, W - RIGHT - 195, legendY - 3);
            legendY += 18;
            beforeDrawn |= before;
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        g.drawLine(x(3, maxT), TOP, x(3, maxT), H - BOTTOM);
        g.drawString("3 s: ERLE measured from here", x(3, maxT) + 4, H - BOTTOM - 8);
        g.dispose();
        ImageIO.write(image, "png", Path.of(args[1]).toFile());
        System.out.println("wrote " + args[1]);
    }

    static int x(double t, double maxT) {
        return LEFT + (int) Math.round(t / maxT * (W - LEFT - RIGHT));
    }

    static int y(double db) {
        return TOP + (int) Math.round((MAX_DB - db) / (MAX_DB - MIN_DB) * (H - TOP - BOTTOM));
    }
}
