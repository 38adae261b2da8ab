// The shape of a domain's handlers: method name → function of the context and the validated arguments.
import type { ArgsOf, MethodName, ResultOf } from '../../../shared/contract.js';
import type { ApiContext } from '../context.js';

export type Handler<M extends MethodName> = (ctx: ApiContext, args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;

export type HandlerMap<M extends MethodName> = { [K in M]: Handler<K> };
