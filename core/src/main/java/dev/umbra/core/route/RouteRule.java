package dev.umbra.core.route;

import dev.umbra.core.route.action.RuleAction;
import dev.umbra.core.route.rule.Rule;

/** A route rule: its conditions and what to do when they hold. */
public record RouteRule(Rule rule, RuleAction action, String path) {}
