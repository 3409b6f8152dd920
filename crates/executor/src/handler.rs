//! The transaction handler: op-revm's [`OpHandler`] with one change in fee distribution.
//!
//! op-revm credits the operator fee to the OperatorFeeVault on every non-deposit transaction,
//! a zero amount before Isthmus. Crediting zero still loads (touches) the vault account, so a
//! pre-Isthmus block would read state it does not need, and a witness recorded by an executor
//! that does not (op-geth, reth) lacks that account. Before Isthmus this handler pays only the
//! base fee and L1 data fee vaults, exactly as op-geth does; from Isthmus it is op-revm's.

use op_revm::{
    OpHaltReason, OpSpecId,
    api::exec::OpContextTr,
    constants::{BASE_FEE_RECIPIENT, L1_FEE_RECIPIENT},
    handler::{IsTxError, OpHandler},
    transaction::{OpTransactionError, OpTxTr, deposit::DEPOSIT_TRANSACTION_TYPE},
};
use revm::{
    context_interface::{
        Block, Cfg, ContextTr, JournalTr, Transaction,
        result::{ExecutionResult, FromStringError, ResultGas},
    },
    handler::{EvmTr, FrameResult, Handler, evm::FrameTr, handler::EvmTrError},
    interpreter::{InitialAndFloorGas, interpreter_action::FrameInit},
    primitives::U256,
};

/// op-revm's handler, except that before Isthmus no operator fee is paid (and the
/// OperatorFeeVault is never loaded).
#[derive(Debug)]
pub struct KoaOpHandler<EVM, ERROR, FRAME> {
    /// The op-revm handler every other step delegates to.
    pub inner: OpHandler<EVM, ERROR, FRAME>,
}

impl<EVM, ERROR, FRAME> KoaOpHandler<EVM, ERROR, FRAME> {
    /// A new handler.
    pub fn new() -> Self {
        Self {
            inner: OpHandler::new(),
        }
    }
}

impl<EVM, ERROR, FRAME> Default for KoaOpHandler<EVM, ERROR, FRAME> {
    fn default() -> Self {
        Self::new()
    }
}

impl<EVM, ERROR, FRAME> Handler for KoaOpHandler<EVM, ERROR, FRAME>
where
    EVM: EvmTr<Context: OpContextTr, Frame = FRAME>,
    ERROR: EvmTrError<EVM> + From<OpTransactionError> + FromStringError + IsTxError,
    FRAME: FrameTr<FrameResult = FrameResult, FrameInit = FrameInit>,
{
    type Evm = EVM;
    type Error = ERROR;
    type HaltReason = OpHaltReason;

    fn validate_env(&self, evm: &mut Self::Evm) -> Result<(), Self::Error> {
        self.inner.validate_env(evm)
    }

    fn validate_against_state_and_deduct_caller(
        &self,
        evm: &mut Self::Evm,
        init_and_floor_gas: &mut InitialAndFloorGas,
    ) -> Result<(), Self::Error> {
        self.inner
            .validate_against_state_and_deduct_caller(evm, init_and_floor_gas)
    }

    fn last_frame_result(
        &mut self,
        evm: &mut Self::Evm,
        frame_result: &mut FrameResult,
    ) -> Result<(), Self::Error> {
        self.inner.last_frame_result(evm, frame_result)
    }

    fn reimburse_caller(
        &self,
        evm: &mut Self::Evm,
        frame_result: &mut FrameResult,
    ) -> Result<(), Self::Error> {
        self.inner.reimburse_caller(evm, frame_result)
    }

    fn refund(&self, evm: &mut Self::Evm, frame_result: &mut FrameResult, eip7702_refund: i64) {
        self.inner.refund(evm, frame_result, eip7702_refund)
    }

    fn reward_beneficiary(
        &self,
        evm: &mut Self::Evm,
        frame_result: &mut FrameResult,
    ) -> Result<(), Self::Error> {
        let spec = evm.ctx().cfg().spec();
        if spec.is_enabled_in(OpSpecId::ISTHMUS) {
            return self.inner.reward_beneficiary(evm, frame_result);
        }
        if evm.ctx().tx().tx_type() == DEPOSIT_TRANSACTION_TYPE {
            return Ok(());
        }
        // The priority fee to the block's fee recipient, as on L1.
        self.inner.mainnet.reward_beneficiary(evm, frame_result)?;

        let basefee = u128::from(evm.ctx().block().basefee());
        let (_, tx, _, journal, l1_block_info, _) = evm.ctx().all_mut();
        let Some(enveloped_tx) = tx.enveloped_tx() else {
            return Err(OpTransactionError::MissingEnvelopedTx.into());
        };
        let l1_cost = l1_block_info.calculate_tx_l1_cost(enveloped_tx, spec);
        let gas = frame_result.gas();
        let used = gas.used().saturating_sub(gas.reservoir());
        let base_fee_amount = U256::from(basefee.saturating_mul(u128::from(used)));

        journal.balance_incr(L1_FEE_RECIPIENT, l1_cost)?;
        journal.balance_incr(BASE_FEE_RECIPIENT, base_fee_amount)?;
        Ok(())
    }

    fn execution_result(
        &mut self,
        evm: &mut Self::Evm,
        frame_result: FrameResult,
        result_gas: ResultGas,
    ) -> Result<ExecutionResult<Self::HaltReason>, Self::Error> {
        self.inner.execution_result(evm, frame_result, result_gas)
    }

    fn catch_error(
        &self,
        evm: &mut Self::Evm,
        error: Self::Error,
    ) -> Result<ExecutionResult<Self::HaltReason>, Self::Error> {
        self.inner.catch_error(evm, error)
    }
}
