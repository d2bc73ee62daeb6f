package io.tideway.engine.result;

import java.util.List;

/**
 * What a release ({@code tideway release}) did.
 *
 * @param alreadyReleased whether the project was released before (then nothing was done)
 * @param done what was dropped or deleted, one line each
 */
public record ReleaseResult(String project, String state, boolean alreadyReleased, List<String> done) { }
