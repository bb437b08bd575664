import CZ3

/// The answer of one `check`.
public enum CheckResult {
    case sat(Model)
    case unsat
    /// Z3 could not decide; `reason` is Z3's own ("timeout", "canceled", "memout", ...).
    case unknown(reason: String)

    public var isSat: Bool { if case .sat = self { return true } else { return false } }
    public var isUnsat: Bool { if case .unsat = self { return true } else { return false } }
}

/// A solver for the QF_BV logic, which bit-blasts to SAT and is far faster on these formulas than Z3's default combined
/// solver.
public final class Solver {
    public let context: Z3Context
    let raw: Z3_solver

    public init(_ context: Z3Context, logic: String = "QF_BV") {
        self.context = context
        raw = Z3_mk_solver_for_logic(context.raw, Z3_mk_string_symbol(context.raw, logic))
        Z3_solver_inc_ref(context.raw, raw)
        context.noteError()
    }

    deinit { Z3_solver_dec_ref(context.raw, raw) }

    public func assert(_ e: Expr) {
        Z3_solver_assert(context.raw, raw, e.ast)
        context.noteError()
    }

    public func push() {
        Z3_solver_push(context.raw, raw)
        context.noteError()
    }
    public func pop() {
        Z3_solver_pop(context.raw, raw, 1)
        context.noteError()
    }

    /// Decides the asserted formulas.
    /// - Parameter timeout: seconds; `nil` for no limit. A timed-out check answers `.unknown("timeout")`
    ///   (Z3 may word it "canceled").
    /// - Throws: the first Z3 error recorded while the formula was built or checked.
    public func check(timeout: Double? = nil) throws -> CheckResult {
        try context.throwIfFailed()
        if let timeout {
            let params = Z3_mk_params(context.raw)!
            Z3_params_inc_ref(context.raw, params)
            let ms = UInt32(max(1, min(Double(UInt32.max), (timeout * 1000).rounded(.up))))
            Z3_params_set_uint(context.raw, params, Z3_mk_string_symbol(context.raw, "timeout"), ms)
            Z3_solver_set_params(context.raw, raw, params)
            Z3_params_dec_ref(context.raw, params)
        }
        let answer = Z3_solver_check(context.raw, raw)
        try context.throwIfFailed()
        if answer == Z3_L_TRUE {
            guard let model = Z3_solver_get_model(context.raw, raw) else {
                context.noteError()
                try context.throwIfFailed()
                return .unknown(reason: "no model")
            }
            return .sat(Model(context, model))
        }
        if answer == Z3_L_FALSE { return .unsat }
        let reason = Z3_solver_get_reason_unknown(context.raw, raw).map { String(cString: $0) } ?? "unknown"
        return .unknown(reason: reason)
    }
}

/// A satisfying assignment. Evaluation completes the model, so every variable gets a value.
public final class Model {
    let context: Z3Context
    let raw: Z3_model

    init(_ context: Z3Context, _ raw: Z3_model) {
        self.context = context
        self.raw = raw
        Z3_model_inc_ref(context.raw, raw)
    }

    deinit { Z3_model_dec_ref(context.raw, raw) }

    private func evaluate(_ e: Expr) -> Z3_ast? {
        var out: Z3_ast?
        guard Z3_model_eval(context.raw, raw, e.ast, true, &out), let out else {
            context.noteError()
            return nil
        }
        return out
    }

    /// The value of a bit-vector expression, or nil when Z3 cannot give one.
    public func uint(_ e: Expr) -> UInt64? {
        guard let value = evaluate(e) else { return nil }
        Z3_inc_ref(context.raw, value)
        defer { Z3_dec_ref(context.raw, value) }
        var out: UInt64 = 0
        guard Z3_get_numeral_uint64(context.raw, value, &out) else {
            context.noteError()
            return nil
        }
        return out
    }

    /// A bit-vector value of up to 128 bits.
    public func uint128(_ e: Expr) -> UInt128? {
        guard let value = evaluate(e) else { return nil }
        Z3_inc_ref(context.raw, value)
        defer { Z3_dec_ref(context.raw, value) }
        guard let text = Z3_get_numeral_string(context.raw, value) else {
            context.noteError()
            return nil
        }
        return UInt128(String(cString: text))
    }

    public func bool(_ e: Expr) -> Bool? {
        guard let value = evaluate(e) else { return nil }
        Z3_inc_ref(context.raw, value)
        defer { Z3_dec_ref(context.raw, value) }
        switch Z3_get_bool_value(context.raw, value) {
        case Z3_L_TRUE: return true
        case Z3_L_FALSE: return false
        default: return nil
        }
    }
}
