import CZ3

/// An error reported by Z3 instead of aborting the process.
public struct SMTError: Error, CustomStringConvertible, Equatable {
    public let code: Int
    public let message: String
    public var description: String { "Z3 error \(code): \(message)" }
}

/// Z3's default error handler exits the process; this one does nothing, and every call site checks
/// the context's error code instead.
private let ignoreZ3Errors: @convention(c) (Z3_context?, Z3_error_code) -> Void = { _, _ in }

/// One Z3 context. Contexts are not thread-safe: use one per task. `interrupt()` is the exception and may be
/// called from any thread to stop a running `check`.
///
/// Errors are sticky: the first failing Z3 call records an `SMTError` here, and `Solver.check` throws it, so a
/// malformed formula can never come back as an answer.
public final class Z3Context: @unchecked Sendable {
    let raw: Z3_context
    public private(set) var firstError: SMTError?

    /// - Parameter memoryLimitMB: Z3's `memory_max_size`, a process-wide bound on solver memory (0 = no limit).
    public init(memoryLimitMB: Int = 0) {
        if memoryLimitMB > 0 { Z3_global_param_set("memory_max_size", String(memoryLimitMB)) }
        let config = Z3_mk_config()
        raw = Z3_mk_context_rc(config)
        Z3_del_config(config)
        Z3_set_error_handler(raw, ignoreZ3Errors)
    }

    deinit { Z3_del_context(raw) }

    /// Ask a running `check` on this context to stop; it then answers `unknown` ("canceled" or "interrupted").
    public func interrupt() { Z3_interrupt(raw) }

    /// Records the current Z3 error, if any, and reports whether the last call succeeded.
    @discardableResult
    func noteError() -> Bool {
        let code = Z3_get_error_code(raw)
        if code == Z3_OK { return true }
        if firstError == nil {
            let message = Z3_get_error_msg(raw, code).map { String(cString: $0) } ?? "unknown error"
            firstError = SMTError(code: Int(code.rawValue), message: message)
        }
        return false
    }

    /// Throws the first error recorded on this context.
    public func throwIfFailed() throws {
        if let firstError { throw firstError }
    }

    /// Wraps a freshly made AST, or a placeholder when Z3 refused to make it (the error is then recorded).
    func wrap(_ ast: Z3_ast?) -> Expr {
        if noteError(), let ast { return Expr(self, ast) }
        return Expr(self, Z3_mk_false(raw))
    }

    func symbol(_ name: String) -> Z3_symbol { Z3_mk_string_symbol(raw, name) }

    // MARK: Sorts and constants

    public var trueExpr: Expr { wrap(Z3_mk_true(raw)) }
    public var falseExpr: Expr { wrap(Z3_mk_false(raw)) }
    public func bool(_ value: Bool) -> Expr { value ? trueExpr : falseExpr }

    public func boolConst(_ name: String) -> Expr {
        wrap(Z3_mk_const(raw, symbol(name), Z3_mk_bool_sort(raw)))
    }

    public func bvConst(_ name: String, width: Int) -> Expr {
        wrap(Z3_mk_const(raw, symbol(name), Z3_mk_bv_sort(raw, UInt32(width))))
    }

    public func bv(_ value: UInt64, width: Int) -> Expr {
        wrap(Z3_mk_unsigned_int64(raw, value, Z3_mk_bv_sort(raw, UInt32(width))))
    }

    /// A constant wider than 64 bits (IPv6 addresses).
    public func bv(wide value: UInt128, width: Int) -> Expr {
        if let small = UInt64(exactly: value) { return bv(small, width: width) }
        return wrap(Z3_mk_numeral(raw, String(value), Z3_mk_bv_sort(raw, UInt32(width))))
    }

    // MARK: Boolean connectives

    public func and(_ terms: [Expr]) -> Expr {
        if terms.isEmpty { return trueExpr }
        if terms.count == 1 { return terms[0] }
        let asts: [Z3_ast?] = terms.map { $0.ast }
        return wrap(asts.withUnsafeBufferPointer { Z3_mk_and(raw, UInt32($0.count), $0.baseAddress) })
    }

    public func or(_ terms: [Expr]) -> Expr {
        if terms.isEmpty { return falseExpr }
        if terms.count == 1 { return terms[0] }
        let asts: [Z3_ast?] = terms.map { $0.ast }
        return wrap(asts.withUnsafeBufferPointer { Z3_mk_or(raw, UInt32($0.count), $0.baseAddress) })
    }

    public func not(_ a: Expr) -> Expr { wrap(Z3_mk_not(raw, a.ast)) }
    public func implies(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_implies(raw, a.ast, b.ast)) }
    public func iff(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_iff(raw, a.ast, b.ast)) }
    public func ite(_ c: Expr, _ t: Expr, _ e: Expr) -> Expr { wrap(Z3_mk_ite(raw, c.ast, t.ast, e.ast)) }

    // MARK: Bit-vectors (all comparisons unsigned)

    public func eq(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_eq(raw, a.ast, b.ast)) }
    public func ule(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvule(raw, a.ast, b.ast)) }
    public func ult(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvult(raw, a.ast, b.ast)) }
    public func uge(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvuge(raw, a.ast, b.ast)) }
    public func ugt(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvugt(raw, a.ast, b.ast)) }
    public func bvmul(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvmul(raw, a.ast, b.ast)) }
    public func bvand(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvand(raw, a.ast, b.ast)) }
    public func bvor(_ a: Expr, _ b: Expr) -> Expr { wrap(Z3_mk_bvor(raw, a.ast, b.ast)) }
    public func concat(_ high: Expr, _ low: Expr) -> Expr { wrap(Z3_mk_concat(raw, high.ast, low.ast)) }
    public func extract(_ a: Expr, high: Int, low: Int) -> Expr {
        wrap(Z3_mk_extract(raw, UInt32(high), UInt32(low), a.ast))
    }

    /// `e` with every occurrence of `from` replaced by `to`.
    public func substitute(_ e: Expr, _ from: Expr, _ to: Expr) -> Expr {
        var sources: [Z3_ast?] = [from.ast]
        var targets: [Z3_ast?] = [to.ast]
        return wrap(Z3_substitute(raw, e.ast, 1, &sources, &targets))
    }

    /// `low <= x <= high`, unsigned.
    public func inRange(_ x: Expr, _ low: UInt64, _ high: UInt64, width: Int) -> Expr {
        if low == high { return eq(x, bv(low, width: width)) }
        return and([ule(bv(low, width: width), x), ule(x, bv(high, width: width))])
    }
}

/// A Z3 AST whose reference count is owned by this object.
public final class Expr: CustomStringConvertible {
    let context: Z3Context
    let ast: Z3_ast

    init(_ context: Z3Context, _ ast: Z3_ast) {
        self.context = context
        self.ast = ast
        Z3_inc_ref(context.raw, ast)
    }

    deinit { Z3_dec_ref(context.raw, ast) }

    public var description: String {
        Z3_ast_to_string(context.raw, ast).map { String(cString: $0) } ?? "<ast>"
    }
}

extension Expr {
    public static func && (a: Expr, b: Expr) -> Expr { a.context.and([a, b]) }
    public static func || (a: Expr, b: Expr) -> Expr { a.context.or([a, b]) }
    public static prefix func ! (a: Expr) -> Expr { a.context.not(a) }
    public static func == (a: Expr, b: Expr) -> Expr { a.context.eq(a, b) }
}
