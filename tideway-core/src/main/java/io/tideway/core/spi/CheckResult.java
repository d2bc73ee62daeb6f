package io.tideway.core.spi;

/**
 * One named precheck item.
 *
 * @param item a stable name, e.g. "source.binlog_format"; projects skip items by this name
 * @param detail what was found
 * @param fix what to do about it (null on PASS)
 */
public record CheckResult(String item, Status status, String detail, String fix) {
    public enum Status { PASS, WARN, FAIL }

    public static CheckResult pass(String item, String detail) {
        return new CheckResult(item, Status.PASS, detail, null);
    }

    public static CheckResult warn(String item, String detail, String fix) {
        return new CheckResult(item, Status.WARN, detail, fix);
    }

    public static CheckResult fail(String item, String detail, String fix) {
        return new CheckResult(item, Status.FAIL, detail, fix);
    }
}
