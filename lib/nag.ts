import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resource as cdk-nag names it in a finding id: the resolved value flattened, with `Ref`s as
 * `<Name>` and `Fn::GetAtt`s as `<Id.Attribute>`, e.g.
 * `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:steward/dev/*`.
 */
export function nagResource(scope: IConstruct, resource: string): string {
  return flattenResource(Stack.of(scope).resolve(resource));
}

/** A resolved policy resource (a string, `Fn::Join`, `Fn::Sub`, `Ref` or `Fn::GetAtt`) flattened as cdk-nag prints it. */
export function flattenResource(resolved: unknown): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (node && typeof node === 'object') {
      const value = node as Record<string, unknown>;
      if ('Fn::Join' in value) {
        const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if ('Fn::GetAtt' in value) {
        const [id, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(id)}.${visit(attribute)}>`;
      }
      if ('Ref' in value) return `<${visit(value.Ref)}>`;
      if ('Fn::Sub' in value && typeof value['Fn::Sub'] === 'string') return visit(value['Fn::Sub']);
    }
    return JSON.stringify(node);
  };
  return visit(resolved);
}

/**
 * Acknowledges the one IAM5 finding for a wildcard resource on `scope` (a role or policy), with
 * the reason that wildcard is needed: never a blanket IAM5 acknowledgement.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResource(scope, resource)}]`, reason });
}
