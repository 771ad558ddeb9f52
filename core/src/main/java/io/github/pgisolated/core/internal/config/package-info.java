/**
 * The configuration keys and how their values are parsed. Not API: do not use these classes, they
 * may change in any release. Users set the keys (listed in the README); the public
 * {@code PgIsolatedConfig} reads them through here.
 */
package io.github.pgisolated.core.internal.config;
