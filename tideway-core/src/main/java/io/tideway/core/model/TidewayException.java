package io.tideway.core.model;

/** A failure with a kind and a message a DBA can act on (what was wrong, what is expected). */
public class TidewayException extends RuntimeException {
    private final ErrorCode code;

    public TidewayException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public TidewayException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
