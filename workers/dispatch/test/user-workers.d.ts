/** A capability worker's default export, called as the runtime calls it. */
interface UserWorker {
  fetch(request: Request, env: object, ctx: ExecutionContext): Response | Promise<Response>;
}

export declare const invoiceLookup: UserWorker;
