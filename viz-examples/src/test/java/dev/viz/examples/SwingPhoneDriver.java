package dev.viz.examples;

import java.awt.Component;
import java.awt.Container;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.swing.AbstractButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;

/**
 * Runs {@link SwingPhone} on a real (virtual) display and drives it as a user would, with the mouse:
 * types the address, clicks Call, waits for the verification code, clicks Mute, takes a screenshot
 * with {@link Robot}, clicks Hang up. Started by {@link SwingPhoneTest} in its own JVM with
 * {@code DISPLAY} set to an Xvfb server; prints {@code KEY=value} lines for the test to check.
 *
 * <p>{@code SwingPhoneDriver HOST:PORT SCREENSHOT.png}
 */
public final class SwingPhoneDriver {
    private SwingPhoneDriver() {
    }

    public static void main(String[] args) throws Exception {
        String address = args[0];
        File screenshot = new File(args[1]);
        AtomicReference<JFrame> window = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            JFrame frame = new SwingPhone("tone:440", "null").frame();
            frame.setLocation(20, 20);
            frame.setVisible(true);
            window.set(frame);
        });
        JFrame frame = window.get();
        Robot robot = new Robot();
        robot.setAutoDelay(40);
        robot.waitForIdle();
        waitFor(() -> frame.isShowing(), 5_000, "the window to show");

        JTextField field = find(frame, "address", JTextField.class);
        onEdt(() -> {
            field.setText(address);
            return null;
        });
        click(robot, find(frame, "call", AbstractButton.class));
        JLabel code = find(frame, "code", JLabel.class);
        waitFor(() -> onEdt(code::getText).matches("\\d{3} \\d{3}"), 20_000, "the verification code");
        JLabel figures = find(frame, "figures", JLabel.class);
        waitFor(() -> onEdt(figures::getText).startsWith("rtt"), 5_000, "the first figures");
        AbstractButton mute = find(frame, "mute", AbstractButton.class);
        click(robot, mute);
        waitFor(() -> onEdt(mute::isSelected), 2_000, "mute to be on");
        robot.waitForIdle();
        Thread.sleep(300);
        robot.waitForIdle();

        // What the screen shows, and what the code label paints by itself: they must be the same pixels.
        Rectangle bounds = onEdt(() -> new Rectangle(frame.getLocationOnScreen(), frame.getSize()));
        BufferedImage shot = robot.createScreenCapture(bounds);
        ImageIO.write(shot, "png", screenshot);
        Rectangle label = onEdt(() -> {
            Point at = code.getLocationOnScreen();
            return new Rectangle(at.x - bounds.x, at.y - bounds.y, code.getWidth(), code.getHeight());
        });
        BufferedImage painted = onEdt(() -> {
            BufferedImage image = new BufferedImage(code.getWidth(), code.getHeight(), BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = image.createGraphics();
            code.paint(g);
            g.dispose();
            return image;
        });
        int same = 0;
        int secured = 0;
        for (int y = 0; y < label.height; y++) {
            for (int x = 0; x < label.width; x++) {
                int screen = shot.getRGB(label.x + x, label.y + y) & 0xFFFFFF;
                if (screen == (painted.getRGB(x, y) & 0xFFFFFF)) {
                    same++;
                }
                if (screen == (SwingPhone.SECURED.getRGB() & 0xFFFFFF)) {
                    secured++;
                }
            }
        }
        System.out.println("CODE=" + onEdt(code::getText));
        System.out.println("FIGURES=" + onEdt(figures::getText));
        System.out.println("MUTED=" + onEdt(mute::isSelected));
        System.out.println("LABEL_MATCH=" + (double) same / (label.width * label.height));
        System.out.println("LABEL_SECURED_PIXELS=" + secured);
        System.out.println("LABEL_PIXELS=" + label.width * label.height);

        click(robot, find(frame, "hangUp", AbstractButton.class));
        JLabel state = find(frame, "state", JLabel.class);
        waitFor(() -> onEdt(state::getText).startsWith("ended"), 10_000, "the call to end");
        System.out.println("STATE=" + onEdt(state::getText));
        System.out.println("LOG=" + onEdt(find(frame, "log", JTextArea.class)::getText).replace("\n", " | "));
        onEdt(() -> {
            frame.dispose();
            return null;
        });
        System.exit(0);
    }

    private static void click(Robot robot, Component component) throws Exception {
        Point center = onEdt(() -> {
            Point at = component.getLocationOnScreen();
            return new Point(at.x + component.getWidth() / 2, at.y + component.getHeight() / 2);
        });
        robot.mouseMove(center.x, center.y);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        robot.waitForIdle();
    }

    private static <T extends Component> T find(Container root, String name, Class<T> type) {
        for (Component c : root.getComponents()) {
            if (name.equals(c.getName()) && type.isInstance(c)) {
                return type.cast(c);
            }
            if (c instanceof Container) {
                T found = findOrNull((Container) c, name, type);
                if (found != null) {
                    return found;
                }
            }
        }
        throw new IllegalStateException("no component named " + name);
    }

    private static <T extends Component> T findOrNull(Container root, String name, Class<T> type) {
        try {
            return find(root, name, type);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static <T> T onEdt(Callable<T> action) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                result.set(action.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    private static void waitFor(Callable<Boolean> condition, long timeoutMs, String what) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                System.out.println("TIMEOUT=" + what);
                System.exit(3);
            }
            Thread.sleep(50);
        }
    }
}
