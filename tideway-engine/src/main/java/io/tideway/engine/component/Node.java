package io.tideway.engine.component;

import java.net.InetAddress;

/** The node a component runs on: its host name and IP address. */
public record Node(String hostName, String ip) {
    private static volatile Node local;

    /** This process's node. */
    public static Node local() {
        Node n = local;
        if (n == null) {
            try {
                InetAddress a = InetAddress.getLocalHost();
                n = new Node(a.getHostName(), a.getHostAddress());
            } catch (java.io.IOException e) {
                n = new Node("localhost", "127.0.0.1");
            }
            local = n;
        }
        return n;
    }

    @Override
    public String toString() {
        return hostName == null ? "" : hostName + " (" + ip + ")";
    }
}
