import CZ3

/// Strings and regular languages over them, for questions about HTTP hosts and paths (route equivalence). These
/// need Z3's string theory, so a solver holding them is made with `Solver(context, logic: nil)`.
extension Z3Context {
    var stringSort: Z3_sort { Z3_mk_string_sort(raw) }

    public func stringConst(_ name: String) -> Expr { wrap(Z3_mk_const(raw, symbol(name), stringSort)) }

    /// A string literal. Z3 reads `\` escapes in literals, so a backslash is written as its code.
    public func string(_ value: String) -> Expr {
        let escaped = value.split(separator: "\\", omittingEmptySubsequences: false).joined(separator: "\\u{5c}")
        return wrap(Z3_mk_string(raw, escaped))
    }

    public func hasPrefix(_ s: Expr, _ prefix: Expr) -> Expr { wrap(Z3_mk_seq_prefix(raw, prefix.ast, s.ast)) }
    public func hasSuffix(_ s: Expr, _ suffix: Expr) -> Expr { wrap(Z3_mk_seq_suffix(raw, suffix.ast, s.ast)) }
    public func contains(_ s: Expr, _ part: Expr) -> Expr { wrap(Z3_mk_seq_contains(raw, s.ast, part.ast)) }
    public func length(_ s: Expr) -> Expr { wrap(Z3_mk_seq_length(raw, s.ast)) }

    public func concatStrings(_ parts: [Expr]) -> Expr {
        if parts.count == 1 { return parts[0] }
        let asts: [Z3_ast?] = parts.map { $0.ast }
        return wrap(asts.withUnsafeBufferPointer { Z3_mk_seq_concat(raw, UInt32($0.count), $0.baseAddress) })
    }

    // MARK: Regular languages

    /// The language of exactly this string.
    public func reLiteral(_ value: String) -> Expr {
        // The literal must outlive the call: Swift may release a temporary right after reading `.ast`.
        let literal = string(value)
        return withExtendedLifetime(literal) { wrap(Z3_mk_seq_to_re(raw, literal.ast)) }
    }

    /// One character between `low` and `high` (inclusive, by code point).
    public func reRange(_ low: Character, _ high: Character) -> Expr {
        let (lo, hi) = (string(String(low)), string(String(high)))
        return withExtendedLifetime((lo, hi)) { wrap(Z3_mk_re_range(raw, lo.ast, hi.ast)) }
    }

    public func reUnion(_ terms: [Expr]) -> Expr {
        if terms.count == 1 { return terms[0] }
        let asts: [Z3_ast?] = terms.map { $0.ast }
        return wrap(asts.withUnsafeBufferPointer { Z3_mk_re_union(raw, UInt32($0.count), $0.baseAddress) })
    }

    public func reConcat(_ terms: [Expr]) -> Expr {
        if terms.count == 1 { return terms[0] }
        let asts: [Z3_ast?] = terms.map { $0.ast }
        return wrap(asts.withUnsafeBufferPointer { Z3_mk_re_concat(raw, UInt32($0.count), $0.baseAddress) })
    }

    public func reStar(_ re: Expr) -> Expr { wrap(Z3_mk_re_star(raw, re.ast)) }

    public func inRegex(_ s: Expr, _ re: Expr) -> Expr { wrap(Z3_mk_seq_in_re(raw, s.ast, re.ast)) }
}

extension Model {
    /// The value of a string expression, with Z3's escapes for characters outside printable ASCII.
    public func string(_ e: Expr) -> String? {
        var out: Z3_ast?
        guard Z3_model_eval(context.raw, raw, e.ast, true, &out), let value = out else {
            context.noteError()
            return nil
        }
        Z3_inc_ref(context.raw, value)
        defer { Z3_dec_ref(context.raw, value) }
        guard Z3_is_string(context.raw, value), let text = Z3_get_string(context.raw, value) else { return nil }
        return String(cString: text)
    }
}
