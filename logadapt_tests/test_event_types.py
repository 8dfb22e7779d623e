"""Event classification against messages as Kafka 2.x-4.x and PostgreSQL 12-17 write them.

Kafka messages are what the log4j layout leaves after `[ts] LEVEL ` and before ` (logger)`: the
`[Ctx ...]` prefix stays. Postgres messages are what follows `LEVEL:  `.
"""

import polars as pl
import pytest

from logadapt_assets.event_types import OTHER, classify, classify_expr, load_rules

# (component, severity, message, expected event type)
KAFKA = [
    (
        "kafka.cluster.Partition",
        "INFO",
        "[Partition orders-3 broker=1] Shrinking ISR from 1,2,3 to 1,3. Leader: (highWatermark: "
        "150, "
        "endOffset: 150). Out of sync replicas: (brokerId: 2, endOffset: 132, lastCaughtUpTimeMs: "
        "1710152621882).",
        "kafka.isr_shrink",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "Partition [orders,2] on broker 1: Shrinking ISR from 1,2,0 to 1,2",
        "kafka.isr_shrink",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "[Partition __consumer_offsets-43 broker=3] Expanding ISR from 3 to 3,4",
        "kafka.isr_expand",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "Partition [payments.v2,11] on broker 12: Shrinking ISR for partition [payments.v2,11] "
        "from 12,14,15 to 12",
        "kafka.isr_shrink",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "Partition [payments.v2,11] on broker 12: Expanding ISR for partition payments.v2-11 from "
        "12 to 12,14",
        "kafka.isr_expand",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "[Partition orders-3 broker=1] ISR updated to 1,3 and version updated to 12",
        "kafka.isr_update",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "[Partition orders-3 broker=1] ISR updated to [1,3] and zkVersion updated to [12]",
        "kafka.isr_update",
    ),
    (
        "state.change.logger",
        "INFO",
        "[Broker id=1001] Leader kafka-ckpt-0 with topic id Some(JEBHuSVSTC-4b0wSYaiylg) starts at "
        "leader epoch 0 from offset 0 with partition epoch 0, high watermark 0, ISR [1001], adding "
        "replicas [] and removing replicas []. Previous leader epoch was -1.",
        "kafka.leader_change",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "[Partition test-0 broker=0] test-0 starts at Leader Epoch 0 from offset 0. Previous "
        "Leader "
        "Epoch was: -1",
        "kafka.leader_change",
    ),
    (
        "kafka.controller.KafkaController",
        "INFO",
        "[Controller id=1001] 1001 successfully elected as the controller. Epoch incremented to "
        "1 and "
        "epoch zk version is now 1",
        "kafka.controller_change",
    ),
    (
        "org.apache.kafka.controller.QuorumController",
        "INFO",
        "[QuorumController id=1] Becoming the active controller at epoch 7, next write offset "
        "1842.",
        "kafka.controller_change",
    ),
    (
        "org.apache.kafka.controller.QuorumController",
        "INFO",
        "[QuorumController id=2] In the new epoch 8, the leader is 1.",
        "kafka.controller_change",
    ),
    (
        "org.apache.kafka.raft.QuorumState",
        "INFO",
        "[RaftManager id=1] Completed transition to Leader(localId=1, epoch=1, epochStartOffset=0, "
        "highWatermark=Optional.empty, voterStates={1=ReplicaState(nodeId=1, "
        "endOffset=Optional.empty"
        ", lastFetchTimestamp=-1, lastCaughtUpTimestamp=-1, hasAcknowledgedLeader=true)}) from "
        "CandidateState(localId=1, epoch=1, retries=1, voteStates={1=GRANTED}, highWatermark="
        "Optional.empty, electionTimeoutMs=1292)",
        "kafka.kraft_leader_change",
    ),
    (
        "org.apache.kafka.raft.QuorumState",
        "INFO",
        "[RaftManager id=2] Completed transition to FollowerState(fetchTimeoutMs=2000, epoch=142, "
        "leader=1, voters=[1, 2, 3], highWatermark=Optional.empty, "
        "fetchingSnapshot=Optional.empty) "
        "from CandidateState(localId=2, epoch=142, retries=1, electionTimeoutMs=1481)",
        "kafka.kraft_leader_change",
    ),
    (
        "org.apache.kafka.raft.QuorumState",
        "INFO",
        "[RaftManager id=1] Completed transition to CandidateState(localId=1, epoch=1, retries=1, "
        "voteStates={1=GRANTED}, highWatermark=Optional.empty, electionTimeoutMs=1292) from "
        "Unattached(epoch=0, voters=[1], electionTimeoutMs=1071)",
        "kafka.kraft_election",
    ),
    (
        "kafka.controller.KafkaController",
        "INFO",
        "[Controller id=1] Starting replica leader election (PREFERRED) for partitions orders-0,"
        "orders-1 triggered by AutoTriggered",
        "kafka.leader_election",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 0]: Preparing to rebalance group test-consumer-group in state "
        "PreparingRebalance with old generation 0 (__consumer_offsets-31) (reason: Adding new "
        "member "
        "consumer-test-consumer-group-1-5ee09f22-25f2-4761-9741-7fd91d483f1a with group instance "
        "id "
        "None; client reason: not provided)",
        "kafka.rebalance_start",
    ),
    (
        "org.apache.kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupCoordinator id=0 topic=__consumer_offsets partition=34] Preparing to rebalance "
        "group "
        "console-consumer-21343 in state PreparingRebalance with old generation 1 (reason: "
        "explicit "
        "`LeaveGroup` request for (console-consumer-206e801e-b293-41ef-807a-23b1ce1dc442) "
        "members.)",
        "kafka.rebalance_start",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 0]: Stabilized group group-01 generation 12 (__consumer_offsets-45) "
        "with "
        "2 members",
        "kafka.rebalance_complete",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 0]: Dynamic member with unknown member id joins group test-group in "
        "Empty "
        "state. Created a new member id console-consumer-5c3c8e5f-0b1a-4f7e-9d3b-2f1e0c9a8b7d and "
        "request the member to rejoin with this id.",
        "kafka.member_join",
    ),
    (
        "org.apache.kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupCoordinator id=1 topic=__consumer_offsets partition=7] [GroupId orders] Member "
        "Jx2k3vG1Q0mB8r7yQ1c2aw joins the consumer group using the consumer protocol.",
        "kafka.member_join",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 0]: Member "
        "MemberMetadata(memberId=consumer-group-01-1-9034960d-23e5-43e8"
        "-b3d4-93658400a22a, groupInstanceId=None, clientId=consumer-group-01-1, "
        "clientHost=/127.0.0.1"
        ", sessionTimeoutMs=45000, rebalanceTimeoutMs=300000, supportedProtocols=List(range, "
        "cooperative-sticky)) has left group group-01 through explicit `LeaveGroup` request",
        "kafka.member_leave",
    ),
    (
        "org.apache.kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupCoordinator id=0 topic=__consumer_offsets partition=34] [Group "
        "console-consumer-21343]"
        " Member console-consumer-206e801e-b293-41ef-807a-23b1ce1dc442 has left group through "
        "explicit `LeaveGroup` request; client reason: the consumer is being closed",
        "kafka.member_leave",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 0]: Member consumer-1-f17da2c9-71ad-4035-b366-76bdebba5951 in group "
        "consumer-1 has failed, removing it from the group",
        "kafka.member_timeout",
    ),
    (
        "org.apache.kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupCoordinator id=1 topic=__consumer_offsets partition=7] [GroupId orders] Member "
        "Jx2k3vG1Q0mB8r7yQ1c2aw fenced from the group because its session expired.",
        "kafka.member_timeout",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 1]: Group orders-app with generation 7 is now empty "
        "(__consumer_offsets-12)",
        "kafka.group_empty",
    ),
    (
        "kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupMetadataManager brokerId=1] Group orders-app transitioned to Dead in generation 7",
        "kafka.group_dead",
    ),
    (
        "kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupMetadataManager brokerId=1] Finished loading offsets and group metadata from "
        "__consumer_offsets-12 in 37 milliseconds for epoch 3, of which 4 milliseconds was spent "
        "in "
        "the scheduler.",
        "kafka.coordinator_load",
    ),
    (
        "kafka.server.ReplicaFetcherThread",
        "WARN",
        "[ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Error in response for fetch request "
        "(type=FetchRequest, replicaId=1, maxWait=500, minBytes=1, maxBytes=10485760, fetchData="
        "{orders-0=PartitionData(fetchOffset=120, logStartOffset=0, maxBytes=1048576)}, isolation"
        "Level=READ_UNCOMMITTED, toForget=, metadata=(sessionId=1190341279, epoch=12))",
        "kafka.fetcher_error",
    ),
    (
        "org.apache.kafka.clients.FetchSessionHandler",
        "INFO",
        "[ReplicaFetcher replicaId=0, leaderId=2, fetcherId=2] Error sending fetch request "
        "(sessionId=88469530, epoch=INITIAL) to node 2:\njava.io.IOException: Connection to 2 was "
        "disconnected before the response was read",
        "kafka.fetcher_disconnect",
    ),
    (
        "org.apache.kafka.clients.NetworkClient",
        "WARN",
        "[ReplicaFetcher replicaId=1, leaderId=3, fetcherId=0] Connection to node 3 (kafka-3/"
        "172.18.0.4:9092) could not be established. Broker may not be available.",
        "kafka.fetcher_disconnect",
    ),
    (
        "kafka.log.LocalLog",
        "INFO",
        "[LocalLog partition=ingest-3, dir=/bitnami/kafka/data] Rolled new log segment at offset "
        "184233903 in 0 ms.",
        "kafka.segment_roll",
    ),
    (
        "kafka.log.LocalLog",
        "INFO",
        "[LocalLog partition=orders.events-3, dir=/var/lib/kafka/data] Rolled new log segment at "
        "offset 1203311 in 6214 ms.",
        "kafka.slow_log_roll",
    ),
    (
        "kafka.log.Log",
        "INFO",
        "[Log partition=__consumer_offsets-48, dir=/home1/irteam/apps/data/kafka/kafka-logs] "
        "Rolled "
        "new log segment at offset 4339939698 in 3 ms.",
        "kafka.segment_roll",
    ),
    (
        "kafka.log.UnifiedLog",
        "INFO",
        "[UnifiedLog partition=mimir-dev-15-aggregations-offsets-3, dir=/bitnami/kafka/data] "
        "Deleting"
        " segment LogSegment(baseOffset=51158, size=948, lastModifiedTime=1715059560415, largest"
        "RecordTimestamp=Some(1715059560369)) due to retention size 102400 breach. Log size after "
        "deletion will be 102542.",
        "kafka.segment_delete",
    ),
    (
        "kafka.log.LocalLog$",
        "INFO",
        "[LocalLog partition=mimir-dev-09-aggregations-offsets-0, dir=/bitnami/kafka/data] "
        "Deleting "
        "segment files LogSegment(baseOffset=448165, size=948, lastModifiedTime=1715059402054, "
        "largestRecordTimestamp=Some(1715059402004))",
        "kafka.segment_delete",
    ),
    (
        "kafka.log.LogSegment",
        "INFO",
        "Deleted log "
        "/bitnami/kafka/data/mimir-dev-09-aggregations-offsets-1/00000000000000447969.log"
        ".deleted.",
        "kafka.segment_delete",
    ),
    (
        "kafka.log.UnifiedLog",
        "INFO",
        "[UnifiedLog partition=ingest-7, dir=/bitnami/kafka/data] Incremented log start offset to "
        "2142693 due to leader offset increment",
        "kafka.log_start_offset",
    ),
    (
        "kafka.log.UnifiedLog",
        "INFO",
        "[UnifiedLog partition=orders-0, dir=/var/lib/kafka/data] Truncating to offset 1200",
        "kafka.log_truncation",
    ),
    (
        "kafka.log.LogCleaner",
        "INFO",
        "[kafka-log-cleaner-thread-0]:\n\tLog cleaner thread 0 cleaned log __consumer_offsets-12 "
        "(dirty section = [0, 1503])\n\t0.1 MB of log processed in 0.0 seconds (4.1 MB/sec).",
        "kafka.log_cleaner",
    ),
    (
        "kafka.log.LogManager",
        "INFO",
        "Attempting recovery for all logs in /var/lib/kafka/data since no clean shutdown file was "
        "found",
        "kafka.log_recovery",
    ),
    (
        "kafka.log.LogLoader",
        "INFO",
        "[LogLoader partition=orders-0, dir=/var/lib/kafka/data] Recovering unflushed segment 0. "
        "0/1 recovered for orders-0.",
        "kafka.log_recovery",
    ),
    ("kafka.log.LogManager", "INFO", "Loaded 51 logs in 312ms.", "kafka.log_loading"),
    (
        "kafka.log.ProducerStateManager",
        "INFO",
        "[ProducerStateManager partition=ingest-3] Wrote producer snapshot at offset 184233903 "
        "with "
        "0 producer ids in 2 ms.",
        "kafka.producer_snapshot",
    ),
    ("kafka.server.KafkaServer", "INFO", "[KafkaServer id=1] started", "kafka.broker_start"),
    (
        "kafka.server.KafkaRaftServer",
        "INFO",
        "[KafkaRaftServer nodeId=1] Kafka Server started",
        "kafka.broker_start",
    ),
    ("kafka.server.KafkaServer", "INFO", "starting", "kafka.broker_starting"),
    (
        "kafka.server.BrokerServer",
        "INFO",
        "[BrokerServer id=0] shutting down",
        "kafka.broker_shutdown",
    ),
    (
        "kafka.server.KafkaServer",
        "INFO",
        "[KafkaServer id=1] shut down completed",
        "kafka.broker_shutdown",
    ),
    (
        "kafka.server.KafkaServer",
        "INFO",
        "[KafkaServer id=1] Starting controlled shutdown",
        "kafka.controlled_shutdown",
    ),
    (
        "org.apache.kafka.server.BrokerLifecycleManager",
        "INFO",
        "[BrokerLifecycleManager id=3] Beginning controlled shutdown.",
        "kafka.controlled_shutdown",
    ),
    (
        "org.apache.kafka.common.network.Selector",
        "INFO",
        "[SocketServer listenerType=BROKER, nodeId=1] Failed authentication with /172.20.0.4 "
        "(channelId=172.20.0.2:9097-172.20.0.4:33076-4-3) (Authentication failed during "
        "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)",
        "kafka.auth_failure",
    ),
    (
        "org.apache.kafka.common.network.Selector",
        "INFO",
        "[SocketServer brokerId=0] Failed authentication with /127.0.0.1 (Unexpected Kafka request "
        "of type METADATA during SASL handshake.)",
        "kafka.auth_failure",
    ),
    (
        "org.apache.kafka.common.network.Selector",
        "INFO",
        "[SocketServer listenerType=BROKER, nodeId=1000] Failed authentication with /172.18.0.11 "
        "(channelId=172.18.0.2:1092-172.18.0.11:43870-165) (SSL handshake failed)",
        "kafka.ssl_handshake_failure",
    ),
    (
        "kafka.authorizer.logger",
        "INFO",
        "Principal = User:kafkaclient1 is Denied operation = CREATE from host = 10.244.0.9 on "
        "resource = Topic:LITERAL:kafka-admin for request = CreateTopics with resourceRefCount = 1 "
        "based on rule DefaultDeny",
        "kafka.authorization_denied",
    ),
    (
        "kafka.server.ReplicaFetcherThread",
        "ERROR",
        "[ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Error for partition orders-0 at "
        "offset"
        " 0\norg.apache.kafka.common.errors.NotLeaderOrFollowerException: For requests intended "
        "only "
        "for the leader, this error indicates that the broker is not the current leader.",
        "kafka.not_leader_for_partition",
    ),
    (
        "kafka.server.ReplicaManager",
        "ERROR",
        "[ReplicaManager broker=1] Error processing fetch with max size 1048576 from consumer on "
        "partition orders-0: PartitionData(fetchOffset=9000, logStartOffset=-1, maxBytes=1048576)\n"
        "org.apache.kafka.common.errors.OffsetOutOfRangeException: Received request for offset "
        "9000 "
        "for partition orders-0, but we only have log segments in the range 0 to 8000.",
        "kafka.offset_out_of_range",
    ),
    (
        "org.apache.kafka.clients.NetworkClient",
        "INFO",
        "[ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Disconnecting from node 2 due to "
        "request timeout.",
        "kafka.request_timeout",
    ),
    (
        "kafka.log.LogManager",
        "ERROR",
        "Shutdown broker because all log dirs in /var/lib/kafka/data have failed",
        "kafka.log_dir_failure",
    ),
    (
        "kafka.server.LogDirFailureChannel",
        "ERROR",
        "Error while appending records to orders-0 in dir "
        "/var/lib/kafka/data\njava.io.IOException: "
        "No space left on device",
        "kafka.disk_full",
    ),
    (
        "kafka.server.ReplicaManager",
        "ERROR",
        "[ReplicaManager broker=1] Error processing append operation on partition orders-0\n"
        "org.apache.kafka.common.errors.NotEnoughReplicasException: The size of the current ISR "
        "Set(1) is insufficient to satisfy the min.isr requirement of 2 for partition orders-0",
        "kafka.under_min_isr",
    ),
    (
        "kafka.server.ReplicaManager",
        "ERROR",
        "[ReplicaManager broker=1] Error processing append operation on partition orders-0\n"
        "org.apache.kafka.common.errors.RecordTooLargeException: The request included a message "
        "larger than the max message size the server will accept.",
        "kafka.record_too_large",
    ),
    (
        "kafka.server.ReplicaManager",
        "ERROR",
        "[ReplicaManager broker=1] Error processing append operation on partition orders-0\n"
        "org.apache.kafka.common.errors.KafkaStorageException: Disk error",
        "kafka.log_dir_failure",
    ),
    (
        "kafka.zookeeper.ZooKeeperClient",
        "INFO",
        "[ZooKeeperClient Kafka server] Waiting until connected.",
        "kafka.zk_connection_loss",
    ),
    (
        "org.apache.zookeeper.ClientCnxn",
        "WARN",
        "Client session timed out, have not heard from server in 6003ms for session id "
        "0x27b6bf74fac000e",
        "kafka.zk_connection_loss",
    ),
    (
        "org.apache.zookeeper.ClientCnxn",
        "INFO",
        "Session 0x0 for sever zookeeper/172.18.0.2:2181, Closing socket connection. Attempting "
        "reconnect except it is a SessionExpiredException.",
        "kafka.zk_connection_loss",
    ),
    (
        "org.apache.zookeeper.ClientCnxn",
        "WARN",
        "Unable to reconnect to ZooKeeper service, session 0x27b6bf74fac000e has expired",
        "kafka.zk_session_expired",
    ),
    (
        "kafka.zookeeper.ZooKeeperClient",
        "INFO",
        "[ZooKeeperClient Kafka server] Connected.",
        "kafka.zk_connected",
    ),
    (
        "org.apache.kafka.image.loader.MetadataLoader",
        "INFO",
        "[MetadataLoader id=1] initializeNewPublishers: the loader is still catching up because we "
        "still don't know the high water mark yet.",
        "kafka.metadata_loading",
    ),
    (
        "kafka.server.ClientQuotaManager",
        "DEBUG",
        "Channel throttled for sensor (Fetch-:client-1). Delay time: (250)",
        "kafka.quota_throttle",
    ),
    (
        "org.apache.kafka.controller.ReplicationControlManager",
        "INFO",
        "[QuorumController id=1] Created topic orders with topic ID 911xntDLQQSfDF3xMNPMRg.",
        "kafka.topic_created",
    ),
    (
        "kafka.zk.AdminZkClient",
        "INFO",
        "Creating topic orders with configuration {} and initial partition assignment HashMap(0 -> "
        "ArrayBuffer(1, 2))",
        "kafka.topic_created",
    ),
    (
        "org.apache.kafka.controller.ReplicationControlManager",
        "INFO",
        "[QuorumController id=1] Removed topic orders with ID 911xntDLQQSfDF3xMNPMRg.",
        "kafka.topic_deleted",
    ),
    (
        "kafka.log.LogManager",
        "INFO",
        "Log for partition orders-0 is renamed to /var/lib/kafka/data/orders-0.9f1c-delete and is "
        "scheduled for deletion",
        "kafka.topic_deleted",
    ),
    (
        "kafka.controller.KafkaController",
        "INFO",
        "[Controller id=1] Handling reassignment of partition orders-0 to new replicas 2,3",
        "kafka.partition_reassignment",
    ),
    (
        "org.apache.kafka.controller.ReplicationControlManager",
        "INFO",
        "[QuorumController id=1] Fencing broker 2 because its session has timed out.",
        "kafka.broker_session_timeout",
    ),
    (
        "org.apache.kafka.server.BrokerLifecycleManager",
        "INFO",
        "[BrokerLifecycleManager id=2] Successfully registered broker 2 with broker epoch 1523",
        "kafka.broker_registration",
    ),
    (
        "kafka.server.ReplicaFetcherManager",
        "INFO",
        "[ReplicaFetcherManager on broker 1] Removed fetcher for partitions Set(orders-0, "
        "orders-1)",
        "kafka.fetcher_change",
    ),
    (
        "kafka.server.KafkaConfig",
        "INFO",
        "KafkaConfig values:\n\tadvertised.listeners = "
        "PLAINTEXT://kafka-1:9092\n\tmin.insync.replicas"
        " = 2\n\tunclean.leader.election.enable = false\n\tssl.keystore.password = null",
        "kafka.config_dump",
    ),
    (
        "org.apache.kafka.common.network.Selector",
        "WARN",
        "[SocketServer listenerType=BROKER, nodeId=1] Unexpected error from /172.18.0.9 (channelId="
        "172.18.0.2:9092-172.18.0.9:51234-0); closing connection\norg.apache.kafka.common.network."
        "InvalidReceiveException: Invalid receive (size = 1195725856 larger than 104857600)",
        "kafka.invalid_request",
    ),
    (
        "kafka.server.KafkaApis",
        "ERROR",
        "[KafkaApi-1] Error when handling request: clientId=admin, correlationId=4, api=METADATA",
        "kafka.request_error",
    ),
    (
        "org.apache.kafka.clients.producer.internals.Sender",
        "WARN",
        "[Producer clientId=producer-1] Got error produce response with correlation id 5 on "
        "topic-partition orders-0, retrying (2147483646 attempts left). Error: "
        "NOT_LEADER_OR_FOLLOWER",
        "kafka.not_leader_for_partition",
    ),
    ("kafka.log.LogManager", "ERROR", "Something nobody wrote a rule for", "kafka.error"),
    (
        "org.apache.kafka.controller.ReplicationControlManager",
        "INFO",
        "[QuorumController id=1] UNCLEAN partition change for drill-0 with topic ID "
        "911xntDLQQSfDF3xMNPMRg: isr: [1] -> [2], leader: 1 -> 2, leaderRecoveryState: RECOVERED "
        "-> RECOVERING, leaderEpoch: 2 -> 3, partitionEpoch: 5 -> 6",
        "kafka.unclean_leader_election",
    ),
    (
        "kafka.server.ReplicaManager",
        "ERROR",
        "[ReplicaManager broker=1] Error processing append operation on partition orders-0\n"
        "org.apache.kafka.common.errors.InvalidTimestampException: Timestamp 1 of message with "
        "offset 0 is out of range.",
        "kafka.produce_error",
    ),
    (
        "org.apache.kafka.clients.producer.internals.Sender",
        "ERROR",
        "[Producer clientId=producer-tx-1, transactionalId=tx-1] Aborting producer batches due to "
        "fatal error\norg.apache.kafka.common.errors.ProducerFencedException: There is a newer "
        "producer with the same transactionalId which fences the current one.",
        "kafka.producer_fenced",
    ),
    (
        "kafka.server.ReplicaFetcherThread",
        "ERROR",
        "[ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Found invalid messages during fetch "
        "for partition orders-0 offset 1200\norg.apache.kafka.common.errors.CorruptRecordException:"
        " Record size 0 is less than the minimum record overhead (14)",
        "kafka.corrupt_record",
    ),
    (
        "org.apache.kafka.controller.ClusterControlManager",
        "INFO",
        "[QuorumController id=1] Replayed BrokerRegistrationChangeRecord modifying the "
        "registration "
        "for broker 2: BrokerRegistrationChangeRecord(brokerId=2, brokerEpoch=1523, fenced=1, "
        "inControlledShutdown=0, logDirs=[])",
        "kafka.broker_fenced",
    ),
    (
        "org.apache.kafka.server.BrokerLifecycleManager",
        "INFO",
        "[BrokerLifecycleManager id=2] The broker has been unfenced. Transitioning from RECOVERY "
        "to "
        "RUNNING.",
        "kafka.broker_unfenced",
    ),
    (
        "kafka.coordinator.group.GroupCoordinator",
        "INFO",
        "[GroupCoordinator 0]: Assignment received from leader consumer-group-01-1-cfe2a223-cbaf-"
        "4748-b1cd-136595050b93 for group group-01 for generation 12. The group has 2 members, 0 "
        "of which are static.",
        "kafka.group_sync",
    ),
    (
        "kafka.coordinator.group.GroupMetadataManager",
        "INFO",
        "[GroupMetadataManager brokerId=1] Removed 3 expired offsets in 1 milliseconds.",
        "kafka.offset_expiration",
    ),
    (
        "kafka.log.LogManager",
        "INFO",
        "Created log for partition orders-0 in /var/lib/kafka/data/orders-0 with properties {}",
        "kafka.partition_created",
    ),
    (
        "org.apache.kafka.clients.NetworkClient",
        "WARN",
        "[Producer clientId=producer-1] Connection to node -1 (localhost/127.0.0.1:9092) could "
        "not be established. Broker may not be available.",
        "kafka.connection_error",
    ),
    (
        "org.apache.kafka.clients.NetworkClient",
        "WARN",
        "[RaftManager id=7] Error connecting to node ctrl-9:9093 (id: 9 rack: null)\n"
        "java.net.UnknownHostException: ctrl-9: Name or service not known\n"
        "\tat java.base/java.net.InetAddress.getAllByName0(InetAddress.java:1533)",
        "kafka.connection_error",
    ),
    (
        "kafka.controller.RequestSendThread",
        "WARN",
        "[RequestSendThread controllerId=5] Controller 5's connection to broker kafka-8:9092 (id: "
        "8 rack: r2) was unsuccessful\njava.io.IOException: Connection to kafka-8:9092 (id: 8 "
        "rack: r2) failed.\n\tat org.apache.kafka.clients.NetworkClientUtils.awaitReady("
        "NetworkClientUtils.java:71)",
        "kafka.connection_error",
    ),
    (
        "kafka.controller.KafkaController",
        "INFO",
        "[Controller id=1] Newly added brokers: 2, deleted brokers: , bounced brokers: , all live "
        "brokers: 1,2",
        "kafka.broker_change",
    ),
    (
        "kafka.server.DynamicConfigManager",
        "INFO",
        "Processing override for entityPath: topics/orders with config: HashMap(retention.ms -> "
        "3600000)",
        "kafka.config_change",
    ),
    (
        "kafka.cluster.Partition",
        "INFO",
        "[Partition orders-0 broker=1] Cached zkVersion 54 not equal to that in zookeeper, skip "
        "updating ISR",
        "kafka.isr_update_failed",
    ),
    # startup failures: the broker gives up (stack trace follows), whatever the exception
    (
        "kafka.server.KafkaServer",
        "ERROR",
        "[KafkaServer id=3] Fatal error during KafkaServer startup. Prepare to shutdown\n"
        "java.lang.RuntimeException: A broker is already registered on the path /brokers/ids/3. "
        "This probably indicates that you either have configured a brokerid that is already in "
        "use, or else you have shutdown this broker and restarted it faster than the zookeeper "
        "timeout so it appears to be re-registering.\n"
        "\tat kafka.zk.KafkaZkClient.registerBroker(KafkaZkClient.scala:105)",
        "kafka.startup_failure",
    ),
    (
        "kafka.server.KafkaServerStartable",
        "FATAL",
        "Fatal error during KafkaServerStartable startup. Prepare to shutdown\n"
        "kafka.common.InconsistentBrokerIdException: Configured broker.id 7 doesn't match stored "
        "broker.id 4 in meta.properties.",
        "kafka.startup_failure",
    ),
    (
        "kafka.server.BrokerServer",
        "ERROR",
        "[BrokerServer id=4] Fatal error during broker startup. Prepare to shutdown\n"
        "java.lang.IllegalStateException: Invalid cluster.id in: /var/lib/kafka/data/"
        "meta.properties. Expected x8kTqYp0RcWfL3nG2hVb1A, but read Qm4zN7cE0kS9aW2dR5tYuw",
        "kafka.startup_failure",
    ),
    (
        "kafka.server.ControllerServer",
        "ERROR",
        "[ControllerServer id=9] Fatal error during controller startup. Prepare to shutdown",
        "kafka.startup_failure",
    ),
    (
        "kafka.Kafka$",
        "ERROR",
        "Exiting Kafka due to fatal exception\njava.lang.IllegalArgumentException: requirement "
        "failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a "
        "routable IP address.\n\tat scala.Predef$.require(Predef.scala:337)",
        "kafka.startup_failure",
    ),
    (
        "kafka.Kafka$",
        "ERROR",
        "Exiting Kafka due to fatal exception during startup.",
        "kafka.startup_failure",
    ),
    ("kafka.server.KafkaServerStartable", "FATAL", "Exiting Kafka.", "kafka.startup_failure"),
    # a named cause beats the startup failure it rides on
    (
        "kafka.server.KafkaServer",
        "ERROR",
        "[KafkaServer id=0] Fatal error during KafkaServer startup. Prepare to shutdown\n"
        "kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while "
        "in state: CONNECTING\n\tat kafka.zookeeper.ZooKeeperClient.waitUntilConnected("
        "ZooKeeperClient.scala:271)",
        "kafka.zk_connection_loss",
    ),
    # shutting down while still starting is not a startup failure
    (
        "kafka.server.KafkaServer",
        "ERROR",
        "[KafkaServer id=2] Fatal error during KafkaServer shutdown.\n"
        "java.lang.IllegalStateException: Kafka server is still starting up, cannot shut down!\n"
        "\tat kafka.server.KafkaServer.shutdown(KafkaServer.scala:712)",
        "app.exception",
    ),
    ("kafka.Kafka$", "ERROR", "Halting Kafka.", "kafka.error"),
    ("kafka.network.Acceptor", "INFO", "Awaiting socket connections on 0.0.0.0:9092.", OTHER),
]

# (severity, sqlstate, message, expected event type)
POSTGRES = [
    ("INFO", None, "checkpoint starting: time", "postgres.checkpoint_start"),
    ("INFO", None, "checkpoint starting: shutdown immediate", "postgres.checkpoint_start"),
    (
        "INFO",
        None,
        "checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added, 0 removed, 0 recycled; "
        "write=0.302 s, sync=0.002 s, total=0.316 s; sync files=2, longest=0.001 s, "
        "average=0.001 s;"
        " distance=0 kB, estimate=0 kB; lsn=0/1531A00, redo lsn=0/15319C8",
        "postgres.checkpoint_complete",
    ),
    (
        "INFO",
        None,
        "restartpoint complete: wrote 12 buffers (0.1%); 0 WAL file(s) added, 0 "
        "removed, 1 recycled; write=1.203 s, sync=0.004 s, total=1.220 s; sync files=8, longest="
        "0.002 s, average=0.001 s; distance=16384 kB, estimate=16384 kB",
        "postgres.checkpoint_complete",
    ),
    (
        "WARN",
        None,
        "checkpoints are occurring too frequently (21 seconds apart)",
        "postgres.checkpoint_too_frequent",
    ),
    (
        "INFO",
        None,
        'automatic vacuum of table "shop.public.orders": index scans: 1\n\tpages: 0 removed, 8334 '
        "remain, 8334 scanned (100.00% of total)\n\ttuples: 9981 removed, 500000 remain, 0 are "
        "dead "
        "but not yet removable",
        "postgres.autovacuum",
    ),
    (
        "INFO",
        None,
        'automatic aggressive vacuum to prevent wraparound of table "shop.pg_catalog.pg_class": '
        "index scans: 0",
        "postgres.autovacuum",
    ),
    (
        "INFO",
        None,
        'automatic analyze of table "shop.public.orders"\n\tavg read rate: 12.120 MB/s, avg write '
        "rate: 0.000 MB/s",
        "postgres.autoanalyze",
    ),
    (
        "INFO",
        None,
        'automatic analyze of table "shop.public.orders" system usage: CPU: user: 0.05 s, system: '
        "0.00 s, elapsed: 0.09 s",
        "postgres.autoanalyze",
    ),
    (
        "ERROR",
        "57014",
        'canceling autovacuum task\nCONTEXT:  automatic vacuum of table "shop.public.orders"',
        "postgres.autovacuum_cancel",
    ),
    (
        "INFO",
        None,
        "connection received: host=172.18.0.1 port=51234",
        "postgres.connection_received",
    ),
    ("INFO", None, "connection received: host=[local]", "postgres.connection_received"),
    (
        "INFO",
        None,
        "connection authorized: user=app database=shop application_name=psql",
        "postgres.connection_authorized",
    ),
    (
        "INFO",
        None,
        "replication connection authorized: user=replicator application_name=walrec",
        "postgres.connection_authorized",
    ),
    (
        "INFO",
        None,
        'connection authenticated: identity="app" method=scram-sha-256 '
        "(/var/lib/postgresql/data/pg_hba.conf:100)",
        "postgres.connection_authorized",
    ),
    (
        "INFO",
        None,
        "disconnection: session time: 0:00:00.010 user=postgres database=postgres host=[local]",
        "postgres.disconnection",
    ),
    (
        "FATAL",
        "28P01",
        'password authentication failed for user "bob"\nDETAIL:  Connection '
        'matched file "/var/lib/postgresql/data/pg_hba.conf" line 128: "host all all all '
        'scram-sha-256"',
        "postgres.auth_failure",
    ),
    ("FATAL", None, 'password authentication failed for user "bob"', "postgres.auth_failure"),
    (
        "FATAL",
        "28000",
        'no pg_hba.conf entry for host "172.18.0.5", user "bob", database "shop", no encryption',
        "postgres.hba_reject",
    ),
    ("FATAL", "28000", 'role "bob" does not exist', "postgres.role_missing"),
    ("FATAL", "3D000", 'database "shopp" does not exist', "postgres.database_missing"),
    (
        "ERROR",
        "40P01",
        "deadlock detected\nDETAIL:  Process 4242 waits for ShareLock on "
        "transaction 1103; blocked by process 4243.\nProcess 4243 waits for ShareLock on "
        "transaction "
        "1102; blocked by process 4242.",
        "postgres.deadlock",
    ),
    ("ERROR", None, "deadlock detected", "postgres.deadlock"),
    (
        "INFO",
        None,
        "process 4242 still waiting for ShareLock on transaction 1103 after 1000.072 ms",
        "postgres.lock_wait",
    ),
    (
        "INFO",
        None,
        "process 4242 acquired ExclusiveLock on tuple (0,5) of relation 16385 of "
        "database 16384 after 2391.210 ms",
        "postgres.lock_wait",
    ),
    (
        "ERROR",
        "57014",
        "canceling statement due to statement timeout",
        "postgres.statement_timeout",
    ),
    ("ERROR", "55P03", "canceling statement due to lock timeout", "postgres.lock_timeout"),
    ("ERROR", "57014", "canceling statement due to user request", "postgres.query_canceled"),
    (
        "ERROR",
        "40001",
        "could not serialize access due to concurrent update",
        "postgres.serialization_failure",
    ),
    (
        "ERROR",
        "40001",
        "canceling statement due to conflict with recovery\nDETAIL:  User query "
        "might have needed to see row versions that must be removed.",
        "postgres.recovery_conflict",
    ),
    (
        "INFO",
        None,
        "duration: 1234.567 ms  statement: SELECT * FROM orders WHERE id = 42",
        "postgres.slow_statement",
    ),
    ("INFO", None, "duration: 0.512 ms  execute <unnamed>: SELECT 1", "postgres.slow_statement"),
    (
        "INFO",
        None,
        "statement: UPDATE orders SET status = 'paid' WHERE id = 42",
        "postgres.statement",
    ),
    ("INFO", None, "execute S_1: COMMIT", "postgres.statement"),
    (
        "INFO",
        None,
        'temporary file: path "base/pgsql_tmp/pgsql_tmp4242.0", size 104857600',
        "postgres.temp_file",
    ),
    (
        "INFO",
        None,
        "database system was not properly shut down; automatic recovery in progress",
        "postgres.crash_recovery",
    ),
    ("INFO", None, "redo starts at 0/15D6F20", "postgres.crash_recovery"),
    (
        "INFO",
        None,
        "redo done at 0/15D7000 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.00 s",
        "postgres.crash_recovery",
    ),
    (
        "INFO",
        None,
        "database system was interrupted; last known up at 2024-03-11 10:20:31 UTC",
        "postgres.crash_recovery",
    ),
    ("INFO", None, "database system is ready to accept connections", "postgres.startup"),
    (
        "INFO",
        None,
        "starting PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on x86_64-pc-linux-gnu, "
        "compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
        "postgres.startup",
    ),
    ("INFO", None, 'listening on IPv4 address "0.0.0.0", port 5432', "postgres.startup"),
    ("INFO", None, "received fast shutdown request", "postgres.shutdown"),
    ("INFO", None, "database system is shut down", "postgres.shutdown"),
    (
        "INFO",
        None,
        'background worker "logical replication launcher" (PID 60) exited with exit code 1',
        "postgres.shutdown",
    ),
    (
        "INFO",
        None,
        "server process (PID 4242) was terminated by signal 9: Killed\nDETAIL:  "
        "Failed process was running: SELECT * FROM big",
        "postgres.backend_crash",
    ),
    (
        "INFO",
        None,
        "server process (PID 4242) was terminated by signal 11: Segmentation fault",
        "postgres.backend_crash",
    ),
    ("INFO", None, "terminating any other active server processes", "postgres.crash_restart"),
    (
        "WARN",
        "57P02",
        "terminating connection because of crash of another server process",
        "postgres.crash_restart",
    ),
    ("INFO", None, "all server processes terminated; reinitializing", "postgres.crash_restart"),
    ("FATAL", "53300", "sorry, too many clients already", "postgres.too_many_connections"),
    (
        "FATAL",
        "53300",
        "remaining connection slots are reserved for non-replication superuser connections",
        "postgres.too_many_connections",
    ),
    (
        "FATAL",
        "53300",
        "remaining connection slots are reserved for roles with the SUPERUSER attribute",
        "postgres.too_many_connections",
    ),
    (
        "ERROR",
        "23505",
        'duplicate key value violates unique constraint "orders_pkey"\nDETAIL:  '
        "Key (id)=(42) already exists.",
        "postgres.duplicate_key",
    ),
    (
        "ERROR",
        "23503",
        'insert or update on table "items" violates foreign key constraint "items_order_id_fkey"',
        "postgres.constraint_violation",
    ),
    (
        "ERROR",
        "23502",
        'null value in column "email" of relation "users" violates not-null constraint',
        "postgres.constraint_violation",
    ),
    ("ERROR", "42601", 'syntax error at or near "SELEC" at character 1', "postgres.syntax_error"),
    (
        "ERROR",
        "42P01",
        'relation "orderz" does not exist at character 15',
        "postgres.undefined_table",
    ),
    ("ERROR", "42703", 'column "emial" does not exist at character 8', "postgres.undefined_column"),
    ("ERROR", "42501", "permission denied for table orders", "postgres.permission_denied"),
    (
        "ERROR",
        "53100",
        'could not extend file "base/16384/16385": No space left on device\nHINT:  '
        "Check free disk space.",
        "postgres.disk_full",
    ),
    (
        "PANIC",
        None,
        'could not write to file "pg_wal/xlogtemp.4242": No space left on device',
        "postgres.disk_full",
    ),
    (
        "ERROR",
        "53200",
        "out of memory\nDETAIL:  Failed on request of size 1048576 in memory "
        'context "ExecutorState".',
        "postgres.oom",
    ),
    (
        "INFO",
        None,
        "started streaming WAL from primary at 0/3000000 on timeline 1",
        "postgres.wal_receiver_start",
    ),
    (
        "FATAL",
        "08006",
        "could not connect to the primary server: connection to server at "
        '"primary" (172.18.0.2), port 5432 failed: Connection refused',
        "postgres.replication_error",
    ),
    (
        "FATAL",
        None,
        "could not connect to the primary server: could not connect to server: Connection refused",
        "postgres.replication_error",
    ),
    (
        "ERROR",
        "58P01",
        "requested WAL segment 000000010000000000000003 has already been removed",
        "postgres.replication_error",
    ),
    (
        "FATAL",
        "57P01",
        "terminating walreceiver process due to administrator command",
        "postgres.replication_error",
    ),
    ("INFO", None, "entering standby mode", "postgres.standby_recovery"),
    ("INFO", None, "received promote request", "postgres.promote"),
    ("INFO", None, "selected new timeline ID: 2", "postgres.promote"),
    (
        "FATAL",
        "57P01",
        "terminating connection due to administrator command",
        "postgres.admin_terminated",
    ),
    (
        "FATAL",
        "25P03",
        "terminating connection due to idle-in-transaction timeout",
        "postgres.idle_timeout",
    ),
    ("FATAL", "57P03", "the database system is starting up", "postgres.cannot_connect_now"),
    ("INFO", None, "received SIGHUP, reloading configuration files", "postgres.config_reload"),
    (
        "INFO",
        None,
        'parameter "log_min_duration_statement" changed to "250"',
        "postgres.config_reload",
    ),
    (
        "WARN",
        None,
        'database "shop" must be vacuumed within 9999999 transactions',
        "postgres.xid_wraparound",
    ),
    (
        "INFO",
        None,
        "could not receive data from client: Connection reset by peer",
        "postgres.client_connection_lost",
    ),
    ("INFO", "08P01", "incomplete startup packet", "postgres.incomplete_startup_packet"),
    (
        "ERROR",
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block",
        "postgres.aborted_transaction",
    ),
    ("ERROR", "22P02", 'invalid input syntax for type integer: "abc"', "postgres.data_exception"),
    ("ERROR", None, "archive command failed with exit code 1", "postgres.archive_failure"),
    ("ERROR", "XX000", "unexpected internal thing", "postgres.error"),
    (
        "ERROR",
        "XX001",
        "invalid page in block 1234 of relation base/16384/16385",
        "postgres.data_corruption",
    ),
    ("INFO", None, "could not accept SSL connection: EOF detected", "postgres.ssl_error"),
    (
        "INFO",
        None,
        'logical replication apply worker for subscription "sub1" has started',
        "postgres.logical_replication",
    ),
    ("ERROR", "42883", "function lower(integer) does not exist", "postgres.undefined_function"),
    ("INFO", None, "some log line nobody has a rule for", OTHER),
]

# (parser, severity, message, attribute keys, expected event type)
APP = [
    (
        "generic",
        "INFO",
        '172.18.0.1 - - [11/Mar/2024:10:23:41 +0000] "GET /api/orders/42 HTTP/1.1" 200 512 "-" '
        '"curl/8.5.0"',
        [],
        "app.http_request",
    ),
    (
        "structured",
        "INFO",
        "request completed",
        ["http.request.method", "url.path"],
        "app.http_request",
    ),
    (
        "generic",
        "ERROR",
        'Traceback (most recent call last):\n  File "/app/main.py", line 3, in <module>\n    '
        "main()\nValueError: bad input",
        [],
        "app.exception",
    ),
    (
        "generic",
        "ERROR",
        'Exception in thread "main" java.lang.IllegalStateException: boom\n\tat '
        "com.example.App.main"
        "(App.java:12)",
        [],
        "app.exception",
    ),
    (
        "generic",
        "ERROR",
        'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
        [],
        "app.oom",
    ),
    ("generic", "WARN", "upstream request timed out after 30s", [], "app.timeout"),
    (
        "generic",
        "ERROR",
        "dial tcp 10.0.0.7:5432: connect: connection refused",
        [],
        "app.connection_error",
    ),
    (
        "generic",
        "INFO",
        "Started OrderServiceApplication in 3.212 seconds (process running for 3.8)",
        [],
        "app.startup",
    ),
    ("generic", "INFO", "Received SIGTERM, shutting down gracefully", [], "app.shutdown"),
    ("generic", "FATAL", "fatal error: concurrent map writes", [], "app.panic"),
    ("generic", "WARN", "login failed for user admin from 10.0.0.7", [], "app.auth_failure"),
    ("generic", "ERROR", "payment declined", [], "app.error"),
    ("generic", "INFO", "cache warmed", [], OTHER),
]


SPRING = "1 --- [payments-worker] [ntainer#0-0-C-1] "
CONSUMER = "[Consumer clientId=consumer-payments-1, groupId=payments] "

# Application lines with the fields a parser extracts from them:
# (parser, severity, message, attributes, error_class, duration_ms, expected event type)
APP_FIELDS = [
    # HTTP server errors: status attribute of zap, logrus, pino, ECS, GCP and slog, or the text
    (
        "structured",
        "INFO",
        "request completed",
        {"method": "POST", "path": "/v1/orders", "status": "500"},
        None,
        1102.4,
        "app.http_5xx",
    ),
    (
        "structured",
        "INFO",
        "request handled",
        {"method": "GET", "path": "/v1/stock/SKU-1", "status": "503"},
        None,
        2.1,
        "app.http_5xx",
    ),
    (
        "structured",
        "INFO",
        "request completed",
        {"req.method": "GET", "req.url": "/x", "res.statusCode": "502"},
        None,
        12.0,
        "app.http_5xx",
    ),
    (
        "structured",
        "ERROR",
        "upstream failed",
        {"http.request.method": "GET", "http.response.status_code": "504"},
        None,
        None,
        "app.http_5xx",
    ),
    (
        "structured",
        "INFO",
        "",
        {"httpRequest.requestMethod": "GET", "httpRequest.status": "500"},
        None,
        None,
        "app.http_5xx",
    ),
    (
        "structured",
        "INFO",
        "request",
        {"method": "GET", "path": "/", "statusCode": "503"},
        None,
        None,
        "app.http_5xx",
    ),
    (
        "generic",
        "INFO",
        '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /api/orders HTTP/1.1" 502 157 "-" '
        '"curl/8.4.0"',
        {},
        None,
        None,
        "app.http_5xx",
    ),
    (
        "generic",
        "INFO",
        '[GIN] 2024/03/11 - 10:21:54 | 500 |    2.113ms |      172.18.0.1 | POST     "/v1/orders"',
        {},
        None,
        None,
        "app.http_5xx",
    ),
    (
        "generic",
        "INFO",
        "1 --- [payments-worker] [nio-8080-exec-3] c.s.payments.web.AuditLogFilter          : "
        "GET /actuator/health 503 12ms",
        {},
        None,
        None,
        "app.http_5xx",
    ),
    (
        "generic",
        "WARN",
        'msg="upstream call" method=GET url=/v1/stock status=502',
        {},
        None,
        None,
        "app.http_5xx",
    ),
    # not a server error: 4xx, a 5-digit number, a status-like key that is not the HTTP status
    (
        "structured",
        "INFO",
        "request completed",
        {"method": "GET", "status": "404"},
        None,
        3.0,
        "app.http_request",
    ),
    (
        "structured",
        "INFO",
        "request completed",
        {"method": "GET", "status": "5000"},
        None,
        3.0,
        "app.http_request",
    ),
    ("structured", "INFO", "order shipped", {"order_status": "500"}, None, None, OTHER),
    # slow requests: an HTTP request with duration_ms >= 1000 (a 5xx stays a 5xx)
    (
        "structured",
        "WARN",
        "request completed",
        {"method": "GET", "path": "/v1/orders", "status": "200"},
        None,
        3120.5,
        "app.slow_request",
    ),
    (
        "generic",
        "INFO",
        '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /report HTTP/1.1" 200 157 "-" "-"',
        {},
        None,
        1500.0,
        "app.slow_request",
    ),
    (
        "structured",
        "INFO",
        "request completed",
        {"method": "GET", "status": "200"},
        None,
        999.9,
        "app.http_request",
    ),
    (
        "structured",
        "INFO",
        "request completed",
        {"method": "GET", "status": "504"},
        None,
        30000.0,
        "app.http_5xx",
    ),
    ("structured", "WARN", "slow query", {"query": "ListOrders"}, None, 4000.0, OTHER),
    # database driver errors: in the error attribute, the message, or the exception class
    (
        "structured",
        "ERROR",
        "create order failed",
        {"error": "ERROR: deadlock detected (SQLSTATE 40P01)", "stacktrace": "main.go:12"},
        None,
        None,
        "app.db_error",
    ),
    (
        "structured",
        "ERROR",
        "failed to reserve stock",
        {"error": "pq: could not serialize access due to concurrent update"},
        None,
        None,
        "app.db_error",
    ),
    (
        "structured",
        "ERROR",
        "boom",
        {"error.message": "ERROR: deadlock detected"},
        "org.postgresql.util.PSQLException",
        None,
        "app.db_error",
    ),
    (
        "structured",
        "ERROR",
        "query failed",
        {"err": "Error 1213 (40001): Deadlock found when trying to get lock; try restarting"},
        None,
        None,
        "app.db_error",
    ),
    (
        "generic",
        "WARN",
        "1 --- [payments-worker] [nio-8080-exec-1] o.h.engine.jdbc.spi.SqlExceptionHelper   : "
        "SQL Error: 0, SQLState: 40P01",
        {},
        None,
        None,
        "app.db_error",
    ),
    (
        "generic",
        "ERROR",
        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, "
        "request timed out after 30005ms (total=10, active=10, idle=0, waiting=3)\n\tat "
        "com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
        {},
        None,
        None,
        "app.db_error",
    ),
    (
        "generic",
        "ERROR",
        'sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "db" '
        "(10.0.0.5), port 5432 failed: Connection refused",
        {},
        None,
        None,
        "app.db_error",
    ),
    (
        "generic",
        "ERROR",
        'ActiveRecord::StatementInvalid (PG::UndefinedTable: ERROR:  relation "users" does not '
        "exist",
        {},
        None,
        None,
        "app.db_error",
    ),
    (
        "generic",
        "ERROR",
        "SQLSTATE[23000]: Integrity constraint violation: 1062 Duplicate entry 'a' for key 'b'",
        {},
        None,
        None,
        "app.db_error",
    ),
    (
        "structured",
        "ERROR",
        "database unavailable",
        {"error": "FATAL: the database system is in recovery mode (SQLSTATE 57P03)"},
        None,
        None,
        "app.db_error",
    ),
    ("generic", "INFO", "Executing SQL migration V42__add_index.sql", {}, None, None, OTHER),
    (
        "structured",
        "INFO",
        "slow query",
        {"query": "SELECT 1 /* SQLSTATE 40P01 */"},
        None,
        None,
        OTHER,
    ),
    # Kafka consumers: commit failures, poll timeouts, rebalances
    (
        "generic",
        "WARN",
        CONSUMER + "Offset commit failed on partition orders-3 at offset 123: The coordinator is "
        "not aware of this member.",
        {},
        None,
        None,
        "app.commit_failed",
    ),
    (
        "generic",
        "WARN",
        CONSUMER + "Asynchronous auto-commit of offsets {orders-0=OffsetAndMetadata{offset=5, "
        "leaderEpoch=null, metadata=''}} failed: Offset commit cannot be completed since the "
        "consumer is not part of an active group for auto partition assignment; it is likely "
        "that the consumer was kicked out of the group.",
        {},
        None,
        None,
        "app.commit_failed",
    ),
    (
        "generic",
        "ERROR",
        SPRING + "o.s.k.l.KafkaMessageListenerContainer    : Consumer exception\n\n"
        "java.lang.IllegalStateException: This error handler cannot process 'org.apache.kafka."
        "clients.consumer.CommitFailedException's; no record information is available\n\tat "
        "org.springframework.kafka.listener.DefaultErrorHandler.handleOtherException("
        "DefaultErrorHandler.java:198)",
        {},
        None,
        None,
        "app.commit_failed",
    ),
    (
        "structured",
        "ERROR",
        "failed to commit offsets",
        {"error": "Broker: Specified group generation id is not valid"},
        None,
        None,
        "app.commit_failed",
    ),
    (
        "generic",
        "WARN",
        "kafka-coordinator-heartbeat-thread | payments] o.a.k.c.c.internals.ConsumerCoordinator  "
        ": " + CONSUMER + "consumer poll timeout has expired. This means the time between "
        "subsequent calls to poll() was longer than the configured max.poll.interval.ms",
        {},
        None,
        None,
        "app.consumer_poll_timeout",
    ),
    (
        "generic",
        "WARN",
        "%4|1700000000.123|MAXPOLL|rdkafka#consumer-1| [thrd:main]: Application maximum poll "
        "interval (300000ms) exceeded by 88ms (adjust max.poll.interval.ms for long-running "
        "message processing): leaving group",
        {},
        None,
        None,
        "app.consumer_poll_timeout",
    ),
    (
        "structured",
        "ERROR",
        "consumer error",
        {"error": "Application maximum poll interval (300000ms) exceeded by 255ms"},
        None,
        None,
        "app.consumer_poll_timeout",
    ),
    (
        "generic",
        "INFO",
        SPRING + "o.a.k.c.c.internals.ConsumerCoordinator  : " + CONSUMER + "Revoke previously "
        "assigned partitions orders.events-0, orders.events-1",
        {},
        None,
        None,
        "app.consumer_rebalance",
    ),
    (
        "generic",
        "INFO",
        SPRING + "o.a.k.c.c.internals.ConsumerCoordinator  : " + CONSUMER + "(Re-)joining group",
        {},
        None,
        None,
        "app.consumer_rebalance",
    ),
    (
        "generic",
        "INFO",
        CONSUMER + "Successfully joined group with generation Generation{generationId=42, "
        "memberId='consumer-payments-1-5f1e', protocol='range'}",
        {},
        None,
        None,
        "app.consumer_rebalance",
    ),
    (
        "generic",
        "INFO",
        SPRING + "o.s.k.l.KafkaMessageListenerContainer    : payments: partitions assigned: "
        "[orders.events-0, orders.events-1]",
        {},
        None,
        None,
        "app.consumer_rebalance",
    ),
    (
        "generic",
        "INFO",
        "Revoking previously assigned partitions {TopicPartition(topic='orders', partition=0)} "
        "for group payments",
        {},
        None,
        None,
        "app.consumer_rebalance",
    ),
    (
        "structured",
        "INFO",
        "Consumer has joined the group",
        {"groupId": "payments", "memberId": "m-1", "isLeader": "false"},
        None,
        None,
        "app.consumer_rebalance",
    ),
    (
        "generic",
        "INFO",
        "ConsumerConfig values: \n\tallow.auto.create.topics = true\n\tmax.poll.interval.ms = "
        "300000\n\tpartition.assignment.strategy = [class org.apache.kafka.clients.consumer."
        "RangeAssignor]",
        {},
        None,
        None,
        OTHER,
    ),
    # Kafka producers retrying a send
    (
        "generic",
        "WARN",
        "[Producer clientId=orders-producer] Got error produce response with correlation id 1234 "
        "on topic-partition orders-3, retrying (2147483646 attempts left). Error: "
        "NOT_LEADER_OR_FOLLOWER",
        {},
        None,
        None,
        "app.kafka_produce_retry",
    ),
    (
        "generic",
        "INFO",
        "producer/broker/2 state change to [retrying] on orders/3 because kafka server: Request "
        "was for a topic or partition that does not exist on this broker",
        {},
        None,
        None,
        "app.kafka_produce_retry",
    ),
    (
        "structured",
        "WARN",
        "publish failed, retrying",
        {
            "topic": "orders.events",
            "partition": "3",
            "attempt": "1",
            "error": "REQUEST_TIMED_OUT: The request timed out.",
        },
        None,
        None,
        "app.kafka_produce_retry",
    ),
    ("structured", "WARN", "publish failed, retrying", {"queue": "emails"}, None, None, OTHER),
    (
        "generic",
        "WARN",
        SPRING + "org.apache.kafka.clients.NetworkClient   : " + CONSUMER + "Connection to node 2 "
        "(kafka-2/172.20.0.12:9092) could not be established. Node may not be available.",
        {},
        None,
        None,
        "app.connection_error",
    ),
]


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "parser": pl.String,
            "component": pl.String,
            "severity": pl.String,
            "sqlstate": pl.String,
            "message": pl.String,
            "attributes": pl.List(pl.Struct({"key": pl.String, "value": pl.String})),
            "error_class": pl.String,
            "duration_ms": pl.Float64,
        },
    )


def _row(parser: str, severity: str | None, message: str, **fields) -> dict:
    """One parsed event; `attributes` as a {key: value} dict."""
    attributes = [{"key": k, "value": v} for k, v in fields.pop("attributes", {}).items()]
    return {
        "parser": parser,
        "severity": severity,
        "message": message,
        **fields,
        "attributes": attributes,
    }


def _kafka_frame() -> pl.DataFrame:
    return _frame([_row("kafka", s, m, component=c) for c, s, m, _ in KAFKA])


def _postgres_frame() -> pl.DataFrame:
    return _frame(
        [_row("postgres", s, m, component="postgres", sqlstate=q) for s, q, m, _ in POSTGRES]
    )


def _app_frame() -> pl.DataFrame:
    return _frame([_row(p, s, m, attributes=dict.fromkeys(keys, "x")) for p, s, m, keys, _ in APP])


def _app_fields_frame() -> pl.DataFrame:
    return _frame(
        [
            _row(p, s, m, attributes=attrs, error_class=ec, duration_ms=d)
            for p, s, m, attrs, ec, d, _ in APP_FIELDS
        ]
    )


def _mismatches(frame: pl.DataFrame, expected: list[str]) -> list[tuple[str, str, str]]:
    got = classify(frame).to_list()
    msgs = frame["message"].to_list()
    return [(m[:90], e, g) for m, e, g in zip(msgs, expected, got, strict=True) if e != g]


def test_kafka_messages_classified():
    assert _mismatches(_kafka_frame(), [e for *_, e in KAFKA]) == []


def test_postgres_messages_classified():
    assert _mismatches(_postgres_frame(), [e for *_, e in POSTGRES]) == []


def test_app_messages_classified():
    assert _mismatches(_app_frame(), [e for *_, e in APP]) == []


def test_app_lines_classified_by_attributes_error_class_and_duration():
    assert _mismatches(_app_fields_frame(), [e for *_, e in APP_FIELDS]) == []


def test_app_rules_without_the_optional_columns():
    """A frame without error_class/duration_ms (older callers) classifies with them as null."""
    frame = _app_fields_frame().drop("error_class", "duration_ms")
    got = classify(frame).to_list()
    assert got[0] == "app.http_5xx"  # the attribute alone decides
    slow = [i for i, (*_, e) in enumerate(APP_FIELDS) if e == "app.slow_request"]
    assert all(got[i] != "app.slow_request" for i in slow)  # no duration, not slow


def test_tables_cover_required_event_counts():
    kafka = {e for *_, e in KAFKA if e.startswith("kafka.")}
    postgres = {e for *_, e in POSTGRES if e.startswith("postgres.")}
    assert len(kafka) >= 30, sorted(kafka)
    assert len(postgres) >= 20, sorted(postgres)


def test_every_rule_event_type_is_exercised_or_documented():
    """A rule nobody tests is a rule nobody checked against real wording."""
    tested = {e for *_, e in KAFKA} | {e for *_, e in POSTGRES} | {e for *_, e in APP}
    tested |= {e for *_, e in APP_FIELDS}
    untested = {r["event_type"] for r in load_rules()} - tested
    # rules verified against sources but without a test line here
    allowed = {
        # brokers do not log it; admin tools and exporters do ("--under-replicated-partitions")
        "kafka.under_replicated",
    }
    assert untested <= allowed, sorted(untested - allowed)


def test_family_rules_do_not_cross_parsers():
    """A Postgres-looking line from an app is not a postgres event, and vice versa."""
    frame = _frame(
        [
            {
                "parser": "generic",
                "component": None,
                "severity": "INFO",
                "sqlstate": None,
                "message": "checkpoint starting: time",
                "attributes": [],
            },
            {
                "parser": "postgres",
                "component": None,
                "severity": "INFO",
                "sqlstate": None,
                "message": "[KafkaServer id=1] started",
                "attributes": [],
            },
            {
                "parser": "kafka",
                "component": None,
                "severity": "INFO",
                "sqlstate": None,
                "message": "GET /health HTTP/1.1 200",
                "attributes": [],
            },
        ]
    )
    assert classify(frame).to_list() == [OTHER, OTHER, OTHER]


def test_mixed_parsers_keep_row_order():
    kafka, postgres = _kafka_frame(), _postgres_frame()
    mixed = pl.concat([kafka.head(5), postgres.head(5), kafka.slice(5, 5)])
    expected = [e for *_, e in KAFKA[:5]] + [e for *_, e in POSTGRES[:5]]
    expected += [e for *_, e in KAFKA[5:10]]
    assert classify(mixed).to_list() == expected


def test_parser_column_missing_uses_argument_and_nulls_never_match():
    frame = pl.DataFrame({"message": ["Shrinking ISR from 1,2 to 1", None]})
    assert classify(frame, "kafka").to_list() == ["kafka.isr_shrink", OTHER]
    assert classify(frame, "postgres").to_list() == [OTHER, OTHER]


def test_empty_frame():
    assert classify(_frame([]), "kafka").to_list() == []


def test_compiled_chain_is_one_expression():
    """Vectorised: the whole table is one when/then expression, evaluated in one select."""
    expr = classify_expr([r for r in load_rules() if "kafka" in r["parsers"]])
    out = _kafka_frame().select(expr)
    assert out.height == len(KAFKA)


@pytest.mark.parametrize(
    "bad",
    [
        {"rules": [{"event_type": "x"}]},
        {"rules": [{"event_type": "x", "match": {"mesage": "a"}}]},
        {"rules": [{"event_type": "x", "match": {"attribute": {"name": "a"}}}]},
        {"rules": [{"event_type": "x", "match": {"attribute": {}}}]},
    ],
)
def test_bad_rule_tables_are_rejected(tmp_path, bad):
    import yaml

    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ValueError):
        load_rules(path)


def test_feature_event_types_are_rule_table_names():
    """rules/features.yaml counts event types by name: a name the rule table never writes is a
    feature that silently stays zero."""
    from logadapt_assets.features import event_type_matcher
    from logadapt_assets.features import load_rules as feature_rules

    names = sorted({r["event_type"] for r in load_rules()})
    probe = pl.DataFrame({"event_type": names})
    for feature, spec in feature_rules()["event_features"].items():
        assert set(spec.get("types", [])) <= set(names), (feature, set(spec["types"]) - set(names))
        assert probe.filter(event_type_matcher(spec)).height >= 1, feature
