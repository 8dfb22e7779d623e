"""Kafka parser: every layout and message family as the real brokers, images and launchers write
them, multi-line assembly, field extraction, and a property test on arbitrary text."""

import shutil
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.parsing.base import PARSED_SCHEMA, ParseOptions
from logadapt_assets.parsing.kafka import PARSER, RULES_PATH, KafkaParser, load_rules

OBSERVED = datetime(2026, 11, 27, 20, 0, 30, tzinfo=UTC)
UTC_OPTS = ParseOptions(timezone="UTC")


def events(texts: list[str | None], observed: datetime = OBSERVED) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "text": texts,
            "observed_at": [observed] * len(texts),
            "line_count": [(t or "").count("\n") + 1 for t in texts],
            "container_id": ["c0ffee"] * len(texts),
            "stream": ["stdout"] * len(texts),
        },
        schema_overrides={
            "text": pl.String,
            "observed_at": pl.Datetime("ns", "UTC"),
            "line_count": pl.Int32,
        },
    )


def parse(texts: list[str], options: ParseOptions = UTC_OPTS) -> pl.DataFrame:
    return PARSER.parse(events(texts), options)


def parse_one(text: str, options: ParseOptions = UTC_OPTS) -> dict:
    return parse([text], options).row(0, named=True)


def attrs(row: dict) -> dict[str, str]:
    return {a["key"]: a["value"] for a in row["attributes"] or []}


def assemble(lines: list[str], stream: str = "stdout") -> pl.DataFrame:
    """The smallest assembler: a record is a start line plus the lines up to the next start."""
    df = pl.DataFrame({"line": lines})
    starts = PARSER.starts_record(pl.col("line"))
    grouped = (
        df.with_row_index("_row")
        .with_columns(_rec=(starts | (pl.col("_row") == 0)).cast(pl.UInt32).cum_sum())
        .group_by("_rec", maintain_order=True)
        .agg(pl.col("line").str.join("\n").alias("text"), pl.len().cast(pl.Int32).alias("n"))
    )
    out = events(grouped["text"].to_list())
    return out.with_columns(line_count=grouped["n"], stream=pl.lit(stream))


# --------------------------------------------------------------------------------------------
# Real-format records. Apache Kafka (ZooKeeper mode, 2.x/3.x wording), KRaft (3.x/4.x), the
# state-change and controller logs, log cleaner, request log, clients embedded in the broker.

ZK_STARTUP = [
    "[2026-11-27 20:00:00,123] INFO Registered kafka:type=kafka.Log4jController MBean "
    "(kafka.utils.Log4jControllerRegistration$)",
    "[2026-11-27 20:00:00,456] INFO starting (kafka.server.KafkaServer)",
    "[2026-11-27 20:00:00,457] INFO Connecting to zookeeper on zookeeper:2181 "
    "(kafka.server.KafkaServer)",
    "[2026-11-27 20:00:00,470] INFO [ZooKeeperClient Kafka server] Initializing a new session to "
    "zookeeper:2181. (kafka.zookeeper.ZooKeeperClient)",
    "[2026-11-27 20:00:00,481] INFO Client environment:zookeeper.version=3.6.3--6401e4ad2087061b"
    "c6b9f80dec2d69f2e3c8660a, built on 04/08/2021 16:35 GMT (org.apache.zookeeper.ZooKeeper)",
    "[2026-11-27 20:00:00,512] INFO Opening socket connection to server zookeeper/172.18.0.2:2181."
    " (org.apache.zookeeper.ClientCnxn)",
    "[2026-11-27 20:00:00,520] INFO Socket connection established, initiating session, client: "
    "/172.18.0.3:49752, server: zookeeper/172.18.0.2:2181 (org.apache.zookeeper.ClientCnxn)",
    "[2026-11-27 20:00:00,534] INFO Session establishment complete on server "
    "zookeeper/172.18.0.2:2181, session id = 0x100003a5c1e0000, negotiated timeout = 18000 "
    "(org.apache.zookeeper.ClientCnxn)",
    "[2026-11-27 20:00:00,540] INFO [ZooKeeperClient Kafka server] Connected. "
    "(kafka.zookeeper.ZooKeeperClient)",
    "[2026-11-27 20:00:01,100] INFO Creating /brokers/ids/1 (is it secure? false) "
    "(kafka.zk.KafkaZkClient)",
    # Stat.toString() ends with a newline: the logger lands on a line of its own
    "[2026-11-27 20:00:01,120] INFO Stat of the created znode at /brokers/ids/1 is: 25,25,"
    "1764273601110,1764273601110,1,0,0,72057845134000128,198,0,25\n (kafka.zk.KafkaZkClient)",
    "[2026-11-27 20:00:01,121] INFO Registered broker 1 at path /brokers/ids/1 with addresses: "
    "PLAINTEXT://kafka-1:9092, czxid (broker epoch): 25 (kafka.zk.KafkaZkClient)",
    "[2026-11-27 20:00:01,300] INFO [Controller id=1] 1 successfully elected as the controller. "
    "Epoch incremented to 5 and epoch zk version is now 5 (kafka.controller.KafkaController)",
    "[2026-11-27 20:00:01,400] INFO [RequestSendThread controllerId=1] Controller 1 connected to "
    "kafka-2:9092 (id: 2 rack: null) for sending state change requests "
    "(kafka.controller.RequestSendThread)",
    "[2026-11-27 20:00:01,500] INFO [Controller id=1 epoch=5] Changed partition orders-0 state "
    "from NewPartition to OnlinePartition with state LeaderAndIsr(leader=1, leaderEpoch=0, "
    "isr=List(1, 2, 3), zkVersion=0) (state.change.logger)",
    "[2026-11-27 20:00:01,600] INFO [Broker id=1] Handling LeaderAndIsr request correlationId 1 "
    "from controller 1 for 3 partitions (state.change.logger)",
    "[2026-11-27 20:00:01,620] INFO [Broker id=1] Leader orders-0 with topic id "
    "Some(Ew9xXjkGR1y8ZPK0nL6ZrA) starts at leader epoch 0 from offset 0 with partition epoch 0,"
    " high watermark 0, ISR [1,2,3], adding replicas [] and removing replicas []. Previous leader"
    " epoch was -1. (state.change.logger)",
    "[2026-11-27 20:00:01,700] INFO [Broker id=2] Follower orders-1 starts at leader epoch 0 from"
    " offset 0 with partition epoch 0 and high watermark 0. Current leader is 3. Previous leader "
    "epoch was -1. (state.change.logger)",
    "[2026-11-27 20:00:01,800] INFO [Broker id=1] Add 3 partitions and deleted 0 partitions from "
    "metadata cache in response to UpdateMetadata request sent by controller 1 epoch 5 with "
    "correlation id 2 (state.change.logger)",
    "[2026-11-27 20:00:02,000] INFO [KafkaApi-1] Auto creation of topic orders with 3 partitions "
    "and replication factor 3 is successful (kafka.server.KafkaApis)",
    "[2026-11-27 20:00:02,100] INFO Creating topic orders with configuration {} and initial "
    "partition assignment HashMap(0 -> ArrayBuffer(1, 2, 3), 1 -> ArrayBuffer(2, 3, 1)) "
    "(kafka.zk.AdminZkClient)",
    "[2026-11-27 20:00:02,200] INFO [ReplicaFetcherManager on broker 1] Removed fetcher for "
    "partitions Set(orders-0, orders-1) (kafka.server.ReplicaFetcherManager)",
    "[2026-11-27 20:00:02,300] INFO [ReplicaFetcherManager on broker 2] Added fetcher to broker 1"
    " for partitions Map(orders-1 -> InitialFetchState(Some(Ew9xXjkGR1y8ZPK0nL6ZrA),BrokerEndPoint"
    "(id=1, host=kafka-1:9092),0,0)) (kafka.server.ReplicaFetcherManager)",
    "[2026-11-27 20:00:02,400] INFO [Log partition=orders-0, dir=/var/lib/kafka/data] Loading "
    "producer state till offset 0 with message format version 2 (kafka.log.Log)",
    "[2026-11-27 20:00:02,410] INFO Created log for partition orders-0 in "
    "/var/lib/kafka/data/orders-0 with properties {} (kafka.log.LogManager)",
    "[2026-11-27 20:00:02,430] INFO [Partition orders-0 broker=1] Expanding ISR from 1,2 to 1,2,3"
    " (kafka.cluster.Partition)",
    "[2026-11-27 20:00:02,440] INFO [Partition orders-0 broker=1] ISR updated to 1,2,3 and "
    "zkVersion updated to 5 (kafka.cluster.Partition)",
    "[2026-11-27 20:00:05,090] INFO [ExpirationReaper-1-Produce]: Starting "
    "(kafka.server.DelayedOperationPurgatory$ExpiredOperationReaper)",
    "[2026-11-27 20:00:05,100] INFO [SocketServer listenerType=ZK_BROKER, nodeId=1] Started "
    "data-plane acceptor and processor(s) for endpoint : ListenerName(PLAINTEXT) "
    "(kafka.network.SocketServer)",
    "[2026-11-27 20:00:05,110] INFO Kafka version: 3.6.1 "
    "(org.apache.kafka.common.utils.AppInfoParser)",
    "[2026-11-27 20:00:05,120] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
    "[2026-11-27 20:00:05,130] INFO [zk-broker-1-to-controller-forwarding-channel-manager]: "
    "Recorded new controller, from now on will use node kafka-1:9092 (id: 1 rack: null) "
    "(kafka.server.BrokerToControllerRequestThread)",
]

GROUPS = [
    "[2026-11-27 20:00:02,002] INFO [GroupCoordinator 1]: Preparing to rebalance group payments "
    "in state PreparingRebalance with old generation 4 (__consumer_offsets-12) (reason: Adding "
    "new member consumer-payments-1-5a4c1e6b-2d7c-4f6e-9a0b-3c2d1e0f9a8b with group instance id "
    "None; client reason: not provided) (kafka.coordinator.group.GroupCoordinator)",
    "[2026-11-27 20:00:05,000] INFO [GroupCoordinator 1]: Stabilized group payments generation 5 "
    "(__consumer_offsets-12) with 3 members (kafka.coordinator.group.GroupCoordinator)",
    "[2026-11-27 20:00:05,010] INFO [GroupCoordinator 1]: Assignment received from leader "
    "consumer-payments-1-5a4c1e6b-2d7c-4f6e-9a0b-3c2d1e0f9a8b for group payments for generation "
    "5. The group has 3 members, 0 of which are static. "
    "(kafka.coordinator.group.GroupCoordinator)",
    "[2026-11-27 20:00:05,020] INFO [GroupCoordinator 1]: Member[group.instance.id None, "
    "member.id consumer-payments-1-5a4c1e6b-2d7c-4f6e-9a0b-3c2d1e0f9a8b] in group payments has "
    "left, removing it from the group (kafka.coordinator.group.GroupCoordinator)",
    "[2026-11-27 20:00:05,040] INFO [GroupCoordinator 1]: Group payments with generation 6 is now "
    "empty (__consumer_offsets-12) (kafka.coordinator.group.GroupCoordinator)",
    "[2026-11-27 20:00:05,050] INFO [GroupMetadataManager brokerId=1] Finished loading offsets and"
    " group metadata from __consumer_offsets-12 in 8 milliseconds for epoch 0, of which 8 "
    "milliseconds was spent in the scheduler. (kafka.coordinator.group.GroupMetadataManager)",
    "[2026-11-27 20:00:05,060] INFO [GroupMetadataManager brokerId=1] Loading group metadata for "
    "fraud-scoring with generation 12 (kafka.coordinator.group.GroupMetadataManager)",
    "[2026-11-27 20:00:05,070] INFO [TransactionCoordinator id=1] Starting up. "
    "(kafka.coordinator.transaction.TransactionCoordinator)",
    "[2026-11-27 20:00:05,080] INFO [Transaction Marker Channel Manager 1]: Starting "
    "(kafka.coordinator.transaction.TransactionMarkerChannelManager)",
    # Kafka 4.x group coordinator runtime
    "[2026-11-27 21:00:00,000] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=27]"
    " Dynamic member with unknown member id joins group shop-backend in Empty state. Created a "
    "new member id consumer-shop-backend-2-742b1799-a191-4227-a836-315dcbc65c08 and requesting "
    "the member to rejoin with this id. (org.apache.kafka.coordinator.group.GroupMetadataManager)",
    "[2026-11-27 21:00:00,010] INFO [GroupCoordinator id=1 topic=__consumer_offsets partition=33]"
    " [GroupId avro-consumer2] Computed a new target assignment for epoch 4 with 'uniform' "
    "assignor in 10ms: {avro-producer-b8f7c567=MemberAssignment(partitions={7l8rBsX6TMqbHE6QgWsh"
    "dw=[0, 1, 2]})}. (org.apache.kafka.coordinator.group.GroupMetadataManager)",
    "[2026-11-27 21:00:00,020] INFO [GroupCoordinator id=2] Scheduling unloading of metadata for "
    "__consumer_offsets-48 with epoch OptionalInt[5] "
    "(org.apache.kafka.coordinator.common.runtime.CoordinatorRuntime)",
]

KRAFT = [
    "[2026-11-27 20:00:11,213] INFO [ControllerServer id=1] Starting controller "
    "(kafka.server.ControllerServer)",
    "[2026-11-27 20:00:11,542] INFO [SharedServer id=1] Starting SharedServer "
    "(kafka.server.SharedServer)",
    "[2026-11-27 20:00:11,578] INFO [LogLoader partition=__cluster_metadata-0, "
    "dir=/var/lib/kafka/data] Loading producer state till offset 0 "
    "(org.apache.kafka.storage.internals.log.UnifiedLog)",
    "[2026-11-27 20:00:11,638] INFO [RaftManager id=1] Reading KRaft snapshot and log as part of "
    "the initialization (org.apache.kafka.raft.KafkaRaftClient)",
    "[2026-11-27 20:00:11,667] INFO [RaftManager id=1] Completed transition to Leader(localReplica"
    "Key=ReplicaKey(id=1, directoryId=ki_hZB9I1tp5FcaAtIMTRQ), epoch=1, epochStartOffset=0, "
    "highWatermark=Optional.empty) from CandidateState(localId=1, epoch=1, retries=1) "
    "(org.apache.kafka.raft.QuorumState)",
    "[2026-11-27 20:00:11,685] INFO [kafka-1-raft-io-thread]: Starting "
    "(org.apache.kafka.raft.KafkaRaftClientDriver)",
    "[2026-11-27 20:00:11,706] INFO [MetadataLoader id=1] initializeNewPublishers: the loader is "
    "still catching up because we still don't know the high water mark yet. "
    "(org.apache.kafka.image.loader.MetadataLoader)",
    "[2026-11-27 20:00:11,759] INFO [SocketServer listenerType=CONTROLLER, nodeId=1] Enabling "
    "request processing. (kafka.network.SocketServer)",
    "[2026-11-27 20:00:11,806] INFO [ControllerRegistrationManager id=1 incarnation=7LwWAmzVS5a6r"
    "xyRTxxnzQ] initialized channel manager. (kafka.server.ControllerRegistrationManager)",
    "[2026-11-27 20:00:11,807] INFO [BrokerServer id=1] Transition from SHUTDOWN to STARTING "
    "(kafka.server.BrokerServer)",
    "[2026-11-27 20:00:12,008] INFO [broker-1-to-controller-heartbeat-channel-manager]: Recorded "
    "new KRaft controller, from now on will use node localhost:9093 (id: 1 rack: null isFenced: "
    "false) (kafka.server.NodeToControllerRequestThread)",
    "[2026-11-27 20:00:12,010] INFO [BrokerLifecycleManager id=1] Incarnation ipb7yg6sTm6RB1RJICo"
    "7jg of broker 1 in cluster 5L6g3nShT-eMCtK--X86sw is now STARTING. "
    "(kafka.server.BrokerLifecycleManager)",
    "[2026-11-27 20:00:12,049] INFO [BrokerLifecycleManager id=1] Successfully registered broker 1"
    " with broker epoch 7 (kafka.server.BrokerLifecycleManager)",
    "[2026-11-27 20:00:12,050] INFO [QuorumController id=1] Created topic orders with topic ID "
    "Ew9xXjkGR1y8ZPK0nL6ZrA. (org.apache.kafka.controller.ReplicationControlManager)",
    "[2026-11-27 20:00:12,051] INFO [QuorumController id=1] Created partition orders-2 with topic "
    "ID Ew9xXjkGR1y8ZPK0nL6ZrA and PartitionRegistration(replicas=[1, 2, 3], isr=[1, 2, 3], "
    "removingReplicas=[], addingReplicas=[], leader=1, leaderRecoveryState=RECOVERED, "
    "leaderEpoch=0, partitionEpoch=0). (org.apache.kafka.controller.ReplicationControlManager)",
    "[2026-11-27 20:00:12,052] INFO [QuorumController id=1] Fencing broker 2 because its session "
    "has timed out. (org.apache.kafka.controller.ReplicationControlManager)",
    "[2026-11-27 20:00:12,060] INFO [KafkaRaftServer nodeId=3] Kafka Server started "
    "(kafka.server.KafkaRaftServer)",
    "[2026-11-27 20:00:12,070] INFO [Broker id=1] Transitioning 3 partition(s) to local leaders. "
    "(state.change.logger)",
    "[2026-11-27 20:00:12,080] INFO [LocalLog partition=orders-3, dir=/var/lib/kafka/data] Rolled"
    " new log segment at offset 1200 in 3 ms. (kafka.log.LocalLog)",
    "[2026-11-27 20:00:12,090] INFO [UnifiedLog partition=orders-3, dir=/var/lib/kafka/data] "
    "Rolled new log segment at offset 1200 in 2 ms. (kafka.log.UnifiedLog)",
    "[2026-11-27 20:00:12,100] INFO [UnifiedLog partition=orders-3, dir=/var/lib/kafka/data] "
    "Deleting segment LogSegment(baseOffset=0, size=1048576, lastModifiedTime=1764270000000, "
    "largestRecordTimestamp=1764269999000) due to log retention time 604800000ms breach based on"
    " the largest record timestamp in the segment (kafka.log.UnifiedLog)",
    "[2026-11-27 20:00:12,110] INFO [ProducerStateManager partition=orders-3] Wrote producer "
    "snapshot at offset 1200 with 0 producer ids in 1 ms. "
    "(org.apache.kafka.storage.internals.log.ProducerStateManager)",
]

CLIENTS_AND_REQUESTS = [
    "[2026-11-27 21:00:00,000] INFO [Consumer clientId=consumer-payments-1, groupId=payments] "
    "Resetting offset for partition orders-3 to position FetchPosition{offset=100, "
    "offsetEpoch=Optional.empty, currentLeader=LeaderAndEpoch{leader=Optional[kafka-1:9092 (id: 1"
    " rack: null)], epoch=3}}. (org.apache.kafka.clients.consumer.internals.SubscriptionState)",
    "[2026-11-27 21:00:00,100] WARN [Producer clientId=producer-1] Error while fetching metadata "
    "with correlation id 1 : {orders=LEADER_NOT_AVAILABLE} "
    "(org.apache.kafka.clients.NetworkClient)",
    "[2026-11-27 20:30:00,000] DEBUG Completed request:RequestHeader(apiKey=PRODUCE, apiVersion=9,"
    " clientId=producer-1, correlationId=42) -- {acks=-1,timeout=30000,partitionSizes=[orders-0="
    "512]},response:{responses=[]} from connection 172.18.0.5:9092-172.18.0.9:53812-4;totalTime:"
    "3.211,requestQueueTime:0.052,localTime:2.91,remoteTime:0.0,throttleTime:0,responseQueueTime:"
    "0.07,sendTime:0.17,securityProtocol:PLAINTEXT,principal:User:ANONYMOUS,listener:PLAINTEXT,"
    "clientInformation:ClientInformation(softwareName=apache-kafka-java, softwareVersion=2.8.1) "
    "(kafka.request.logger)",
    '[2026-11-27 20:30:00,100] DEBUG Completed request:{"isForwarded":false,"requestHeader":{'
    '"requestApiKey":1,"requestApiVersion":13,"correlationId":77,"clientId":"broker-2-fetcher-0",'
    '"requestApiKeyName":"FETCH"},"request":{"replicaId":2,"maxWaitMs":500},"response":{'
    '"throttleTimeMs":0,"errorCode":0},"connection":"172.18.0.3:9092-172.18.0.4:50436-0",'
    '"totalTimeMs":500.3,"requestQueueTimeMs":0.1,"localTimeMs":0.5,"remoteTimeMs":499.5,'
    '"throttleTimeMs":0,"responseQueueTimeMs":0.1,"sendTimeMs":0.1,"securityProtocol":"SSL",'
    '"principal":"User:CN=broker-2","listener":"INTERNAL","clientInformation":{"softwareName":'
    '"apache-kafka-java","softwareVersion":"3.7.0"}} (kafka.request.logger)',
    "[2026-11-27 20:31:00,000] ERROR [KafkaApi-1] Error when handling request: "
    "clientId=consumer-payments-1, correlationId=7, api=OFFSET_COMMIT, version=8, "
    "body=OffsetCommitRequestData(groupId='payments', generationIdOrMemberEpoch=5) "
    "(kafka.server.KafkaApis)",
]

ERRORS = [
    "[2026-11-27 20:10:00,000] WARN Session 0x100003a5c1e0000 for server zookeeper/172.18.0.2:2181"
    ", Closing socket connection. Attempting reconnect except it is a SessionExpiredException. "
    "(org.apache.zookeeper.ClientCnxn)\n"
    "org.apache.zookeeper.ClientCnxn$EndOfStreamException: Unable to read additional data from "
    "server sessionid 0x100003a5c1e0000, likely server has closed socket\n"
    "\tat org.apache.zookeeper.ClientCnxnSocketNIO.doIO(ClientCnxnSocketNIO.java:77)\n"
    "\tat org.apache.zookeeper.ClientCnxn$SendThread.run(ClientCnxn.java:1290)",
    "[2026-11-27 20:11:00,000] WARN [ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Error in"
    " response for fetch request (type=FetchRequest, replicaId=2, maxWait=500, minBytes=1, "
    "maxBytes=10485760, fetchData={orders-0=PartitionData(fetchOffset=100, logStartOffset=0)}, "
    "isolationLevel=READ_UNCOMMITTED, removed=, replaced=, metadata=(sessionId=1839128312, "
    "epoch=12), rackId=) (kafka.server.ReplicaFetcherThread)\n"
    "java.io.IOException: Connection to 1 was disconnected before the response was read\n"
    "\tat org.apache.kafka.clients.NetworkClientUtils.sendAndReceive(NetworkClientUtils.java:99)\n"
    "\tat kafka.server.ReplicaFetcherThread.fetchFromLeader(ReplicaFetcherThread.scala:217)\n"
    "\tat kafka.utils.ShutdownableThread.run(ShutdownableThread.scala:96)",
    "[2026-11-27 20:12:00,000] ERROR [ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Error "
    "for partition orders-3 at offset 100 (kafka.server.ReplicaFetcherThread)\n"
    "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host "
    "this topic-partition.",
    "[2026-11-27 20:13:00,000] INFO [ReplicaFetcher replicaId=3, leaderId=1, fetcherId=0] Error "
    "sending fetch request (sessionId=685089226, epoch=INITIAL) to node 1: "
    "(org.apache.kafka.clients.FetchSessionHandler)\n"
    "java.io.IOException: Connection to 172.23.47.13:9092 (id: 1 rack: null) failed.\n"
    "\tat org.apache.kafka.clients.NetworkClientUtils.awaitReady(NetworkClientUtils.java:71)",
    "[2026-11-27 20:40:00,000] ERROR Error while writing to checkpoint file "
    "/var/lib/kafka/data/replication-offset-checkpoint (kafka.server.LogDirFailureChannel)\n"
    "org.apache.kafka.common.errors.KafkaStorageException: Error while writing to checkpoint file"
    " /var/lib/kafka/data/replication-offset-checkpoint\n"
    "\tat org.apache.kafka.storage.internals.checkpoint.CheckpointFileWithFailureHandler.write("
    "CheckpointFileWithFailureHandler.java:50)\n"
    "Caused by: java.io.IOException: No space left on device\n"
    "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native Method)\n"
    "\t... 12 more",
    "[2026-11-27 20:40:01,000] ERROR [KafkaServer id=1] Fatal error during KafkaServer startup. "
    "Prepare to shutdown (kafka.server.KafkaServer)\n"
    "org.apache.kafka.common.KafkaException: Failed to acquire lock on file .lock in "
    "/var/lib/kafka/data. A Kafka instance in another process or thread is using this directory."
    "\n\tat kafka.log.LogManager.$anonfun$lockLogDirs$1(LogManager.scala:250)",
    "[2017-07-15 16:17:57,662] FATAL [Kafka Server 1], Fatal error during KafkaServer startup. "
    "Prepare to shutdown (kafka.server.KafkaServer)\n"
    "kafka.common.InconsistentBrokerIdException: Configured broker.id 1 doesn't match stored "
    "broker.id 0 in meta.properties.",
    "[2026-11-27 20:41:00,000] INFO [Producer clientId=producer-1] Error sending fetch request to "
    "node 1: org.apache.kafka.common.errors.DisconnectException: null "
    "(org.apache.kafka.clients.NetworkClient)",
]

LOG_CLEANER = [
    "[2026-11-27 22:04:20,235] INFO [kafka-log-cleaner-thread-0]: \n"
    "\tLog cleaner thread 0 cleaned log __consumer_offsets-7 (dirty section = "
    "[309313806, 310221664])\n"
    "\t100.0 MB of log processed in 1.1 seconds (87.1 MB/sec).\n"
    "\tIndexed 100.0 MB in 0.6 seconds (163.9 Mb/sec, 53.1% of total time)\n"
    "\tBuffer utilization: 0.0%\n"
    "\tCleaned 100.0 MB in 0.5 seconds (185.9 Mb/sec, 46.9% of total time)\n"
    "\tStart size: 100.0 MB (907,866 messages)\n"
    "\tEnd size: 0.0 MB (8 messages)\n"
    "\t100.0% size reduction (100.0% fewer messages)\n"
    " (kafka.log.LogCleaner)",
    "[2026-11-27 22:04:19,100] INFO Cleaner 0: Beginning cleaning of log orders-compacted-0 "
    "(kafka.log.LogCleaner)",
    "[2026-11-27 22:04:19,000] INFO [kafka-log-cleaner-thread-0]: Starting "
    "(kafka.log.LogCleaner$CleanerThread)",
]

KAFKA_CONFIG_DUMP = (
    "[2026-11-27 20:00:00,900] INFO KafkaConfig values: \n"
    "\tadvertised.listeners = PLAINTEXT://kafka-1:9092\n"
    "\tbroker.id = 1\n"
    "\tlog.dirs = /var/lib/kafka/data\n"
    "\tzookeeper.connect = zookeeper:2181\n"
    " (kafka.server.KafkaConfig)"
)

# Strimzi: "%d{ISO8601} %p %m (%c) [%t]%n" (log4j1: space; log4j2 ISO8601: 'T')
STRIMZI = [
    "2026-11-27 20:00:00,941 DEBUG [Channel manager on controller 0]: Controller 0 trying to "
    "connect to broker 1 (kafka.controller.ControllerChannelManager) [controller-event-thread]",
    "2026-11-27 20:00:01,051 INFO [SocketServer brokerId=0] Started data-plane processors for 4 "
    "acceptors (kafka.network.SocketServer) [main]",
    "2026-11-27 20:00:02,624 TRACE [RequestSendThread controllerId=1] shutdownInitiated latch "
    "count reached zero. Shutdown called. (kafka.controller.RequestSendThread) "
    "[Controller-1-to-broker-0-send-thread]",
    "2026-11-27T20:00:03,000 INFO [ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Truncating"
    " partition orders-3 with TruncationState(offset=1180, completed=true) due to leader epoch "
    "and offset EpochEndOffset(errorCode=0, partition=3, leaderEpoch=7, endOffset=1180) "
    "(kafka.server.ReplicaFetcherThread) [ReplicaFetcherThread-0-1]",
    "2026-11-27 20:00:04,000 ERROR [RaftManager id=3] Unexpected error UNKNOWN_SERVER_ERROR in "
    "VOTE response: InboundResponse(correlationId=12, data=VoteResponseData(errorCode=-1), "
    "sourceId=1) (org.apache.kafka.raft.KafkaRaftClient) [kafka-3-raft-io-thread]",
    "2026-11-27 20:00:05,000 WARN [Controller-1-to-broker-0-send-thread]: Controller 1 epoch 5 "
    "fails to send request (type=UpdateMetadataRequest, controllerId=1, controllerEpoch=5) to "
    "broker my-cluster-kafka-0.my-cluster-kafka-brokers.kafka.svc:9091 (id: 0 rack: null). "
    "Reconnecting to broker. (kafka.controller.RequestSendThread) "
    "[Controller-1-to-broker-0-send-thread]\n"
    "java.lang.InterruptedException\n"
    "\tat java.base/java.util.concurrent.CountDownLatch.await(CountDownLatch.java:278)",
]

ISO_OFFSET = [
    "2026-11-27T21:00:00.123+01:00 INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
    "[2026-11-27T20:00:00.123Z] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
    "2026-11-27T15:00:00,123-0500 INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
]

BITNAMI = [
    "\x1b[38;5;6mkafka \x1b[38;5;5m19:59:58.00 \x1b[0m\x1b[38;5;2mINFO \x1b[0m ==> Welcome to the"
    " Bitnami kafka container",
    "kafka 19:59:58.12 WARN  ==> KAFKA_CFG_LISTENERS is not set. Using default listeners",
    "kafka   INFO  ==> Validating inputs...",
    "nami    INFO  Initializing kafka",
]

CONFLUENT_LAUNCHER = [
    "===> User\nuid=1000(appuser) gid=1000(appuser) groups=1000(appuser)",
    "===> Configuring ...\nRunning in KRaft mode...",
    "===> Launching ... ",
    "[main] INFO io.confluent.admin.utils.ClusterStatus - Expected 1 brokers but found only 0. "
    "Trying to query Kafka for metadata again ...",
]

JVM = [
    "[0.004s][warning][cds] The shared archive file has a bad magic number: 0",
    "OpenJDK 64-Bit Server VM warning: Options -Xverify:none and -noverify were deprecated in "
    "JDK 13 and will likely be removed in a future release.",
    'Exception in thread "main" java.lang.IllegalArgumentException: Error creating broker '
    "listeners from 'PLAINTEXT://:9092': Unable to parse PLAINTEXT://:9092 to a broker endpoint\n"
    "\tat kafka.utils.CoreUtils$.listenerListToEndPoints(CoreUtils.scala:268)",
]

# ZooKeeper server (official image) next to ZooKeeper-mode brokers:
# "%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n"
ZOOKEEPER = [
    "2026-11-27 20:00:00,438 [myid:] - ERROR [main:QuorumPeerConfig@722] - Invalid "
    "configuration, only one server specified (ignoring)",
    "2026-11-27 20:00:00,441 [myid:1] - INFO  [main:DatadirCleanupManager@78] - "
    "autopurge.snapRetainCount set to 3",
    "2026-11-27 20:00:01,000 [myid:1] - INFO  [QuorumPeer[myid=1](plain=[0:0:0:0:0:0:0:0]:2181)"
    "(secure=disabled):QuorumPeer@1374] - LOOKING",
    "2026-11-27 20:00:02,000 [myid:1] - WARN  [NIOWorkerThread-2:NIOServerCnxn@373] - Close of "
    "session 0x0\njava.io.IOException: ZooKeeperServer not running\n\tat "
    "org.apache.zookeeper.server.NIOServerCnxn.readLength(NIOServerCnxn.java:544)",
    # logback (3.8+) abbreviates the class; a logback/log4j file without "[myid:...] "
    "2026-11-27 20:00:03,117 - WARN  [main:o.a.z.s.q.QuorumPeerMain@139] - Either no config or "
    "no quorum defined in config, running in standalone mode",
]

# Kafka Connect workers: "[%d] %p %X{connector.context}%m (%c:%L)%n"
CONNECT = [
    "[2026-11-27 20:00:00,123] INFO [orders-sink|task-0] Committing offsets asynchronously using "
    "sequence number 5: {orders-3=OffsetAndMetadata{offset=120, leaderEpoch=null, metadata=''}} "
    "(org.apache.kafka.connect.runtime.WorkerSinkTask:361)",
    "[2026-11-27 20:00:00,200] INFO [Worker clientId=connect-1, groupId=connect-cluster] Finished "
    "starting connectors and tasks "
    "(org.apache.kafka.connect.runtime.distributed.DistributedHerder:1567)",
]

ALL_RECORDS = (
    ZK_STARTUP
    + GROUPS
    + KRAFT
    + CLIENTS_AND_REQUESTS
    + ERRORS
    + LOG_CLEANER
    + [KAFKA_CONFIG_DUMP]
    + STRIMZI
    + ISO_OFFSET
    + BITNAMI
    + CONFLUENT_LAUNCHER
    + JVM
    + ZOOKEEPER
    + CONNECT
)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


FIELD_CASES = [
    pytest.param(
        GROUPS[0],
        {
            "timestamp": ts("2026-11-27T20:00:02.002+00:00"),
            "severity_text": "INFO",
            "component": "kafka.coordinator.group.GroupCoordinator",
            "broker_id": 1,
            "topic": "__consumer_offsets",
            "partition": 12,
            "consumer_group": "payments",
            "attrs": {"context": "GroupCoordinator 1"},
        },
        id="zk-rebalance",
    ),
    pytest.param(
        "[2026-11-27 20:00:01,001] INFO [Partition orders-3 broker=1] Shrinking ISR from 1,2,3 to "
        "1,2. Leader: (highWatermark: 100, endOffset: 120). Out of sync replicas: (brokerId: 3, "
        "endOffset: 100, lastCaughtUpTimeMs: 1764273590000). (kafka.cluster.Partition)",
        {
            "component": "kafka.cluster.Partition",
            "broker_id": 1,
            "topic": "orders",
            "partition": 3,
            "message": "[Partition orders-3 broker=1] Shrinking ISR from 1,2,3 to 1,2. Leader: "
            "(highWatermark: 100, endOffset: 120). Out of sync replicas: (brokerId: 3, endOffset: "
            "100, lastCaughtUpTimeMs: 1764273590000).",
        },
        id="isr-shrink",
    ),
    pytest.param(
        GROUPS[1],
        {"consumer_group": "payments", "topic": "__consumer_offsets", "partition": 12},
        id="stabilized",
    ),
    pytest.param(GROUPS[3], {"consumer_group": "payments", "broker_id": 1}, id="member-left"),
    pytest.param(GROUPS[4], {"consumer_group": "payments", "partition": 12}, id="group-empty"),
    pytest.param(
        GROUPS[5],
        {"broker_id": 1, "topic": "__consumer_offsets", "partition": 12, "duration_ms": 8.0},
        id="offsets-loaded",
    ),
    pytest.param(GROUPS[6], {"consumer_group": "fraud-scoring"}, id="group-metadata-for"),
    pytest.param(GROUPS[8], {"broker_id": 1}, id="txn-marker-positional-id"),
    pytest.param(
        GROUPS[9],
        {
            "broker_id": 1,
            "topic": "__consumer_offsets",
            "partition": 27,
            "consumer_group": "shop-backend",
            "component": "org.apache.kafka.coordinator.group.GroupMetadataManager",
        },
        id="kafka4-group-coordinator",
    ),
    pytest.param(
        GROUPS[10],
        {"consumer_group": "avro-consumer2", "partition": 33, "duration_ms": 10.0},
        id="kafka4-groupid-context",
    ),
    pytest.param(
        ERRORS[2],
        {
            "severity_text": "ERROR",
            "component": "kafka.server.ReplicaFetcherThread",
            "broker_id": 2,
            "topic": "orders",
            "partition": 3,
            "error_class": "org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
            "attrs": {
                "leaderId": "1",
                "fetcherId": "0",
                "context": "ReplicaFetcher",
                "exception_message": "This server does not host this topic-partition.",
            },
        },
        id="replica-fetcher-error",
    ),
    pytest.param(
        ERRORS[1],
        {"broker_id": 2, "request_type": "Fetch", "error_class": "java.io.IOException"},
        id="fetch-request-ioexception",
    ),
    pytest.param(
        ERRORS[0],
        {"error_class": "org.apache.zookeeper.ClientCnxn$EndOfStreamException"},
        id="zk-client-cnxn",
    ),
    pytest.param(
        ERRORS[4],
        {
            "error_class": "org.apache.kafka.common.errors.KafkaStorageException",
            "attrs": {
                "root_cause_class": "java.io.IOException",
                "root_cause_message": "No space left on device",
            },
        },
        id="caused-by-root",
    ),
    pytest.param(
        ERRORS[6],
        {
            "severity_text": "FATAL",
            "broker_id": 1,
            "error_class": "kafka.common.InconsistentBrokerIdException",
        },
        id="old-fatal",
    ),
    pytest.param(
        ERRORS[7],
        {"error_class": "org.apache.kafka.common.errors.DisconnectException", "broker_id": None},
        id="exception-in-message",
    ),
    pytest.param(
        ZK_STARTUP[10],
        {
            "component": "kafka.zk.KafkaZkClient",
            "message": "Stat of the created znode at /brokers/ids/1 is: 25,25,1764273601110,"
            "1764273601110,1,0,0,72057845134000128,198,0,25",
        },
        id="logger-on-own-line",
    ),
    pytest.param(ZK_STARTUP[13], {"broker_id": 1}, id="request-send-thread"),
    pytest.param(
        ZK_STARTUP[14],
        {"broker_id": 1, "topic": "orders", "partition": 0, "attrs": {"epoch": "5"}},
        id="state-change-controller",
    ),
    pytest.param(
        ZK_STARTUP[15],
        {"request_type": "LeaderAndIsr", "request_id": "1", "component": "state.change.logger"},
        id="leader-and-isr",
    ),
    pytest.param(ZK_STARTUP[16], {"topic": "orders", "partition": 0, "broker_id": 1}, id="leader"),
    pytest.param(ZK_STARTUP[17], {"topic": "orders", "partition": 1, "broker_id": 2}, id="follow"),
    pytest.param(
        ZK_STARTUP[18], {"request_type": "UpdateMetadata", "request_id": "2"}, id="update-meta"
    ),
    pytest.param(ZK_STARTUP[19], {"topic": "orders", "broker_id": 1}, id="auto-create-topic"),
    pytest.param(
        ZK_STARTUP[21], {"broker_id": 1, "topic": "orders", "partition": 0}, id="fetchers"
    ),
    pytest.param(
        ZK_STARTUP[23],
        {
            "topic": "orders",
            "partition": 0,
            "broker_id": None,
            "attrs": {"dir": "/var/lib/kafka/data"},
        },
        id="old-log-context",
    ),
    pytest.param(ZK_STARTUP[27], {"broker_id": None}, id="expiration-reaper-not-an-id"),
    pytest.param(
        ZK_STARTUP[28],
        {"broker_id": 1, "attrs": {"listenerType": "ZK_BROKER", "context": "SocketServer"}},
        id="socket-server",
    ),
    pytest.param(ZK_STARTUP[31], {"broker_id": 1}, id="zk-forwarding-thread"),
    pytest.param(
        KRAFT[2],
        {"topic": "__cluster_metadata", "partition": 0, "broker_id": None},
        id="kraft-log-loader",
    ),
    pytest.param(KRAFT[3], {"broker_id": 1, "attrs": {"context": "RaftManager"}}, id="raft"),
    pytest.param(KRAFT[5], {"broker_id": 1}, id="raft-io-thread"),
    pytest.param(
        KRAFT[8],
        {"broker_id": 1, "attrs": {"incarnation": "7LwWAmzVS5a6rxyRTxxnzQ"}},
        id="ctrl-reg",
    ),
    pytest.param(
        KRAFT[13], {"broker_id": 1, "topic": "orders", "partition": None}, id="created-topic"
    ),
    pytest.param(KRAFT[14], {"topic": "orders", "partition": 2}, id="created-partition"),
    pytest.param(KRAFT[16], {"broker_id": 3}, id="kraft-server-node-id"),
    pytest.param(
        KRAFT[18],
        {"component": "kafka.log.LocalLog", "topic": "orders", "partition": 3, "duration_ms": 3.0},
        id="local-log-roll",
    ),
    pytest.param(
        KRAFT[19], {"component": "kafka.log.UnifiedLog", "partition": 3}, id="unified-log"
    ),
    pytest.param(
        CLIENTS_AND_REQUESTS[0],
        {
            "consumer_group": "payments",
            "topic": "orders",
            "partition": 3,
            "broker_id": None,
            "attrs": {"clientId": "consumer-payments-1", "context": "Consumer"},
        },
        id="embedded-consumer",
    ),
    pytest.param(
        CLIENTS_AND_REQUESTS[2],
        {
            "severity_text": "DEBUG",
            "component": "kafka.request.logger",
            "request_type": "Produce",
            "request_id": "42",
            "duration_ms": 3.211,
            "attrs": {
                "clientId": "producer-1",
                "apiVersion": "9",
                "connection": "172.18.0.5:9092-172.18.0.9:53812-4",
                "principal": "User:ANONYMOUS",
                "listener": "PLAINTEXT",
                "securityProtocol": "PLAINTEXT",
            },
        },
        id="request-log-text",
    ),
    pytest.param(
        CLIENTS_AND_REQUESTS[3],
        {
            "request_type": "Fetch",
            "request_id": "77",
            "duration_ms": 500.3,
            "attrs": {"clientId": "broker-2-fetcher-0", "principal": "User:CN=broker-2"},
        },
        id="request-log-json",
    ),
    pytest.param(
        CLIENTS_AND_REQUESTS[4],
        {"request_type": "OffsetCommit", "request_id": "7", "consumer_group": "payments"},
        id="kafka-apis-error",
    ),
    pytest.param(
        LOG_CLEANER[0],
        {"component": "kafka.log.LogCleaner", "topic": "__consumer_offsets", "partition": 7},
        id="log-cleaner-stats",
    ),
    pytest.param(
        LOG_CLEANER[1], {"topic": "orders-compacted", "partition": 0}, id="log-cleaner-begin"
    ),
    pytest.param(
        STRIMZI[0],
        {
            "severity_text": "DEBUG",
            "component": "kafka.controller.ControllerChannelManager",
            "broker_id": 0,
            "attrs": {"thread": "controller-event-thread"},
            "message": "[Channel manager on controller 0]: Controller 0 trying to connect to "
            "broker 1",
        },
        id="strimzi",
    ),
    pytest.param(
        STRIMZI[3],
        {
            "timestamp": ts("2026-11-27T20:00:03+00:00"),
            "broker_id": 2,
            "topic": "orders",
            "partition": 3,
            "attrs": {"thread": "ReplicaFetcherThread-0-1"},
        },
        id="strimzi-log4j2-iso",
    ),
    pytest.param(STRIMZI[4], {"request_type": "Vote", "broker_id": 3}, id="raft-vote-response"),
    pytest.param(
        STRIMZI[5],
        {
            "request_type": "UpdateMetadata",
            "broker_id": 1,
            "error_class": "java.lang.InterruptedException",
            "component": "kafka.controller.RequestSendThread",
        },
        id="strimzi-trace",
    ),
    pytest.param(
        BITNAMI[0],
        {
            "timestamp": ts("2026-11-27T19:59:58+00:00"),
            "severity_text": "INFO",
            "component": "bitnami",
            "message": "Welcome to the Bitnami kafka container",
            "attrs": {"module": "kafka"},
        },
        id="bitnami-colour",
    ),
    pytest.param(BITNAMI[3], {"severity_text": "INFO", "component": "bitnami"}, id="bitnami-nami"),
    pytest.param(
        CONFLUENT_LAUNCHER[0],
        {
            "component": "confluent-launcher",
            "message": "User\nuid=1000(appuser) gid=1000(appuser) groups=1000(appuser)",
            "timestamp": None,
        },
        id="confluent-launcher",
    ),
    pytest.param(
        CONFLUENT_LAUNCHER[3],
        {"component": "io.confluent.admin.utils.ClusterStatus", "attrs": {"thread": "main"}},
        id="confluent-cub",
    ),
    pytest.param(
        JVM[0],
        {
            "severity_text": "warning",
            "severity": "WARN",
            "attrs": {"tags": "cds", "uptime": "0.004s"},
        },
        id="jvm-unified",
    ),
    pytest.param(
        JVM[2],
        {
            "severity": "ERROR",
            "component": "jvm",
            "error_class": "java.lang.IllegalArgumentException",
            "attrs": {"thread": "main"},
        },
        id="jvm-uncaught",
    ),
]


FIELD_CASES += [
    pytest.param(
        ZOOKEEPER[2],
        {
            "severity_text": "INFO",
            "component": "QuorumPeer",
            "message": "LOOKING",
            "broker_id": None,
            "attrs": {
                "myid": "1",
                "line": "1374",
                "thread": "QuorumPeer[myid=1](plain=[0:0:0:0:0:0:0:0]:2181)(secure=disabled)",
            },
        },
        id="zookeeper-server",
    ),
    pytest.param(
        ZOOKEEPER[3],
        {"error_class": "java.io.IOException", "severity_text": "WARN"},
        id="zookeeper-trace",
    ),
    pytest.param(
        ZOOKEEPER[4],
        {
            "severity_text": "WARN",
            "component": "o.a.z.s.q.QuorumPeerMain",
            "message": "Either no config or no quorum defined in config, running in standalone "
            "mode",
            "attrs": {"thread": "main", "line": "139"},
        },
        id="zookeeper-without-myid",
    ),
    pytest.param(
        CONNECT[0],
        {
            "component": "org.apache.kafka.connect.runtime.WorkerSinkTask",
            "attrs": {"line": "361", "context": "orders-sink|task-0"},
        },
        id="connect-logger-line",
    ),
    pytest.param(
        CONNECT[1],
        {"consumer_group": "connect-cluster", "attrs": {"clientId": "connect-1"}},
        id="connect-worker",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FIELD_CASES)
def test_fields(text: str, expected: dict) -> None:
    row = parse_one(text)
    assert row["parse_status"] == "ok"
    for key, value in expected.items():
        if key == "attrs":
            assert value.items() <= attrs(row).items(), attrs(row)
        else:
            assert row[key] == value, (key, row[key])


def test_every_sample_layout_is_fully_recognised() -> None:
    out = parse(ALL_RECORDS)
    bad = out.with_columns(text=pl.Series(ALL_RECORDS)).filter(pl.col("parse_status") != "ok")
    assert bad.height == 0, bad.select("text").to_series().to_list()
    assert out["message"].null_count() == 0


def test_message_is_the_body_without_prefix_or_logger() -> None:
    row = parse_one(KAFKA_CONFIG_DUMP)
    assert row["message"] == (
        "KafkaConfig values: \n\tadvertised.listeners = PLAINTEXT://kafka-1:9092\n\tbroker.id = 1"
        "\n\tlog.dirs = /var/lib/kafka/data\n\tzookeeper.connect = zookeeper:2181"
    )
    assert row["component"] == "kafka.server.KafkaConfig"
    trace = parse_one(ERRORS[4])
    assert trace["message"].startswith("Error while writing to checkpoint file /var/lib/kafka/")
    assert "(kafka.server.LogDirFailureChannel)" not in trace["message"]
    assert trace["message"].endswith(
        "Caused by: java.io.IOException: No space left on device\n"
        "\tat java.base/sun.nio.ch.FileDispatcherImpl.write0(Native "
        "Method)\n\t... 12 more"
    )


def test_naive_times_are_read_in_the_configured_zone() -> None:
    berlin = ParseOptions(timezone="Europe/Berlin")
    winter = parse_one("[2026-11-27 20:00:00,123] INFO x (a.B)", berlin)
    summer = parse_one("[2026-07-01 12:00:00,000] INFO x (a.B)", berlin)
    assert winter["timestamp"] == datetime(2026, 11, 27, 19, 0, 0, 123000, tzinfo=UTC)
    assert summer["timestamp"] == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    # an explicit offset wins over the configured zone
    for text in ISO_OFFSET:
        row = parse_one(text, berlin)
        assert row["timestamp"] == datetime(2026, 11, 27, 20, 0, 0, 123000, tzinfo=UTC), text
        assert row["parse_status"] == "ok"
    # a local time that does not exist (DST gap) is not invented
    gap = parse_one("[2026-03-29 02:30:00,000] INFO x (a.B)", berlin)
    assert gap["timestamp"] is None and gap["parse_status"] == "partial"


def test_time_of_day_launcher_lines_take_the_capture_day() -> None:
    after_midnight = datetime(2026, 11, 28, 0, 0, 2, tzinfo=UTC)
    df = events(["kafka 23:59:58.50 INFO  ==> ** Starting Kafka setup **"], after_midnight)
    row = PARSER.parse(df, UTC_OPTS).row(0, named=True)
    assert row["timestamp"] == datetime(2026, 11, 27, 23, 59, 58, 500000, tzinfo=UTC)
    assert row["message"] == "** Starting Kafka setup **"


@pytest.mark.parametrize(
    ("line", "starts"),
    [
        ("[2026-11-27 20:00:00,123] INFO starting (kafka.server.KafkaServer)", True),
        ("2026-11-27 20:00:00,123 INFO [main] x (a.B) [main]", True),
        ("2026-11-27T20:00:00.123+01:00 INFO x (a.B)", True),
        ("\tat kafka.server.KafkaServer.startup(KafkaServer.scala:220)", False),
        ("    at kafka.server.KafkaServer.startup(KafkaServer.scala:220)", False),
        ("Caused by: java.io.IOException: No space left on device", False),
        ("\t... 12 more", False),
        ("org.apache.kafka.common.errors.TimeoutException: Timed out", False),
        ("\tbroker.id = 1", False),
        (" (kafka.server.KafkaConfig)", False),
        ("uid=1000(appuser) gid=1000(appuser) groups=1000(appuser)", False),
        ("", False),
        ("===> Launching kafka ... ", True),
        ("kafka 08:58:35.00 INFO  ==> Initializing Kafka...", True),
        ("\x1b[38;5;6mkafka \x1b[38;5;5m08:58:35.00 \x1b[0m\x1b[38;5;2mINFO \x1b[0m ==> x", True),
        ("[0.004s][warning][cds] The shared archive file has a bad magic number: 0", True),
        ('Exception in thread "main" java.lang.IllegalStateException: x', True),
        ("[main] INFO org.apache.zookeeper.ZooKeeper - Client environment:host.name=kafka", True),
    ],
)
def test_starts_record(line: str, starts: bool) -> None:
    out = pl.DataFrame({"line": [line, None]}).select(PARSER.starts_record(pl.col("line")))
    assert out.to_series().to_list() == [starts, False]


def test_stack_traces_merge_into_one_event() -> None:
    lines = [
        "[2026-11-27 20:12:00,000] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)",
        "[2026-11-27 20:12:01,000] ERROR [ReplicaManager broker=2] Error processing append "
        "operation on partition orders-3 (kafka.server.ReplicaManager)",
        "org.apache.kafka.common.errors.RecordTooLargeException: The message is 2097152 bytes "
        "when serialized which is larger than 1048576.",
        "\tat kafka.log.UnifiedLog.$anonfun$append$2(UnifiedLog.scala:810)",
        "\tat kafka.log.UnifiedLog.append(UnifiedLog.scala:1848)",
        "Caused by: org.apache.kafka.common.errors.InvalidRecordException: bad batch",
        "\t... 17 more",
        "[2026-11-27 20:12:02,000] INFO KafkaConfig values: ",
        "\tbroker.id = 2",
        " (kafka.server.KafkaConfig)",
        "[2026-11-27 20:12:03,000] INFO [KafkaServer id=2] shutting down "
        "(kafka.server.KafkaServer)",
    ]
    df = assemble(lines)
    assert df["line_count"].to_list() == [1, 6, 3, 1]
    out = PARSER.parse(df, UTC_OPTS)
    assert out.height == 4
    assert out["parse_status"].to_list() == ["ok"] * 4
    err = out.row(1, named=True)
    assert err["error_class"] == "org.apache.kafka.common.errors.RecordTooLargeException"
    assert err["request_type"] == "Produce"
    assert (err["broker_id"], err["topic"], err["partition"]) == (2, "orders", 3)
    assert attrs(err)["root_cause_class"] == (
        "org.apache.kafka.common.errors.InvalidRecordException"
    )
    assert err["message"].count("\n") == 5 and "\tat kafka.log.UnifiedLog.append" in err["message"]
    assert out.row(2, named=True)["message"] == "KafkaConfig values: \n\tbroker.id = 2"


def test_jdk_warning_blocks_are_records_of_their_own() -> None:
    lines = [
        "[2026-11-27 20:12:00,000] INFO [LogLoader partition=orders-3, dir=/data] Loading producer "
        "state till offset 0 (org.apache.kafka.storage.internals.log.UnifiedLog)",
        "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called",
        "WARNING: sun.misc.Unsafe::invokeCleaner has been called by org.example.BufferFreer "
        "(file:/opt/kafka/libs/example-1.0.jar)",
        "WARNING: Please consider reporting this to the maintainers of class "
        "org.example.BufferFreer",
        "WARNING: sun.misc.Unsafe::invokeCleaner will be removed in a future release",
        "[2026-11-27 20:12:01,000] INFO [KafkaServer id=2] started (kafka.server.KafkaServer)",
        "WARNING: An illegal reflective access operation has occurred",
        "WARNING: Illegal reflective access by org.example.Reflector (file:/opt/x.jar) to "
        "method java.lang.Object.finalize()",
        "WARNING: All illegal access operations will be denied in a future release",
    ]
    df = assemble(lines)
    assert df["line_count"].to_list() == [1, 4, 1, 3]
    out = PARSER.parse(df, UTC_OPTS)
    assert out["parse_status"].to_list() == ["ok"] * 4
    assert out["component"].to_list()[1::2] == ["jvm", "jvm"]
    assert out["severity_text"].to_list()[1::2] == ["WARNING", "WARNING"]
    assert out["message"][0].endswith("Loading producer state till offset 0")
    assert out["message"][1].startswith("A terminally deprecated method in sun.misc.Unsafe")
    assert out["message"][3].endswith("will be denied in a future release")


def test_launcher_notices_are_records_of_their_own() -> None:
    lines = [
        "[2026-11-27 20:11:59,000] INFO EventThread shut down for session: 0x10000a1b2c3d0001 "
        "(org.apache.zookeeper.ClientCnxn)",
        "Using log4j config /etc/kafka/log4j.properties",
        "===> Launching kafka ... ",
        "DEPRECATED: A Log4j 1.x configuration file has been detected, which is no longer "
        "recommended.",
        "To use a Log4j 2.x configuration, please see https://logging.apache.org/ for details.",
        "[2026-11-27 20:12:00,000] INFO Registered signal handlers for TERM, INT, HUP "
        "(org.apache.kafka.common.utils.LoggingSignalHandler)",
    ]
    df = assemble(lines)
    assert df["line_count"].to_list() == [1, 1, 1, 2, 1]
    out = PARSER.parse(df, UTC_OPTS)
    assert out["parse_status"].to_list() == ["ok"] * 5
    assert out["message"][0] == "EventThread shut down for session: 0x10000a1b2c3d0001"
    assert out["component"].to_list()[1:4] == [
        "confluent-launcher",
        "confluent-launcher",
        "kafka-run-class",
    ]
    assert out["message"][1] == "Using log4j config /etc/kafka/log4j.properties"
    assert out["message"][3].startswith("DEPRECATED: A Log4j 1.x configuration file")
    assert out["severity"][3] == "WARN"


def test_partial_and_unparsed() -> None:
    texts = [
        "[2026-11-27 20:00:00,123] INFO no logger at the end",
        "[2026-11-27 20:00:00,123] something without a level (kafka.server.KafkaServer)",
        "2026-13-45 25:00:00,000 INFO impossible date (kafka.server.KafkaServer)",
        "just some text",
        "\tat kafka.server.KafkaServer.startup(KafkaServer.scala:220)",
        "",
    ]
    out = parse(texts)
    assert out["parse_status"].to_list() == [
        "partial",
        "partial",
        "partial",
        "unparsed",
        "unparsed",
        "unparsed",
    ]
    assert out["message"].to_list()[:2] == [
        "no logger at the end",
        "something without a level",
    ]
    assert out["message"].to_list()[3:] == [texts[3], texts[4].rstrip(), ""]
    assert out["severity_text"].to_list()[:3] == ["INFO", None, "INFO"]


@pytest.mark.parametrize(
    ("text", "request_type"),
    [
        (
            "Completed request:RequestHeader(apiKey=LIST_OFFSETS, apiVersion=7, clientId=c, "
            "correlationId=3) -- {} from connection a;totalTime:1.0",
            "ListOffsets",
        ),
        (
            "[Consumer clientId=c, groupId=g] Sending METADATA request with header RequestHeader("
            "apiKey=METADATA, apiVersion=12, clientId=c, correlationId=1) and timeout 30000 to "
            "node -1: MetadataRequestData(topics=[])",
            "Metadata",
        ),
        ("Controller 1 epoch 5 fails to send request (type=LeaderAndIsRequest, x) to broker", None),
        (
            "Controller 1 epoch 5 fails to send request (type=StopReplicaRequest, x) to broker",
            "StopReplica",
        ),
        (
            "Error when handling request: clientId=c, correlationId=9, api=ALTER_ISR, version=0",
            "AlterIsr",
        ),
        (
            "sendControllerRegistration: attempting to send ControllerRegistrationRequestData("
            "controllerId=1)",
            "ControllerRegistration",
        ),
        (
            "Error processing fetch with max size 1048576 from consumer on partition orders-3",
            "Fetch",
        ),
        ("Received API_VERSIONS response from node 1 for request with header", "ApiVersions"),
        ("Unable to send a heartbeat because the RPC got timed out before it could be sent.", None),
        ("[ExpirationReaper-1-Produce]: Starting", None),
    ],
)
def test_request_type(text: str, request_type: str | None) -> None:
    row = parse_one(f"[2026-11-27 20:00:00,000] DEBUG {text} (kafka.x.Y)")
    assert row["request_type"] == request_type


@pytest.mark.parametrize(
    ("message", "topic", "partition"),
    [
        ("Error for partition payments.v2_eu-west-1-12 at offset 5", "payments.v2_eu-west-1", 12),
        ("Partition [orders,3] on broker 1: Shrinking ISR from 1,2,3 to 1,2", "orders", 3),
        (
            "Updated PartitionLeaderEpoch for TopicIdPartition vG9xXjkGR1y8ZPK0nL6ZrA:orders-3.",
            "orders",
            3,
        ),
        (
            "Connection to node 1 (kafka-1:9092) could not be established. Broker may not be "
            "available.",
            None,
            None,
        ),
        ("[ReplicaFetcherThread-0-1]: Stopped", None, None),
        ("Loaded 0 logs in 2026-11-27 13ms", None, None),
        ("Creating topic my.topic_name-v2 with configuration {}", "my.topic_name-v2", None),
        ("Creating topic id mapping", None, None),
        ("[Controller id=4] List of topics ineligible for deletion: invoices,refunds", None, None),
        (
            "[Log partition=__transaction_state-49, dir=/data] Truncating to 0",
            "__transaction_state",
            49,
        ),
        (
            "[Broker id=3] Received LeaderAndIsr request LeaderAndIsrPartitionState(topicName="
            "'invoices.eu', partitionIndex=7, controllerEpoch=4, leader=2, leaderEpoch=9, isr=[2, "
            "3]) correlation id 41 from controller 1 epoch 4",
            "invoices.eu",
            7,
        ),
    ],
)
def test_topic_partition(message: str, topic: str | None, partition: int | None) -> None:
    row = parse_one(f"[2026-11-27 20:00:00,000] INFO {message} (kafka.x.Y)")
    assert (row["topic"], row["partition"]) == (topic, partition)


@pytest.mark.parametrize(
    ("message", "topic", "group", "request_type"),
    [
        (
            "Principal = User:billing-svc is Denied Operation = Read from host = 10.1.2.3 on "
            "resource = Topic:LITERAL:invoices for request = Fetch with resourceRefCount = 1 based "
            "on rule DefaultDeny",
            "invoices",
            None,
            "Fetch",
        ),
        (
            "Principal = User:billing-svc is Denied Operation = Describe from host = 10.1.2.3 on "
            "resource = Group:LITERAL:billing-workers for request = OffsetFetch with "
            "resourceRefCount = 1",
            None,
            "billing-workers",
            "OffsetFetch",
        ),
        (
            "No acl found for resource Topic:LITERAL:audit.events, authorized = false",
            "audit.events",
            None,
            None,
        ),
        (
            "Principal = User:CN=svc,OU=Ops is Denied Operation = Write from host = 10.1.2.4 on "
            "resource = Topic:ledger",
            "ledger",
            None,
            None,
        ),
    ],
)
def test_authorizer_resource_and_request(
    message: str, topic: str | None, group: str | None, request_type: str | None
) -> None:
    row = parse_one(f"[2026-11-27 20:00:00,000] INFO {message} (kafka.authorizer.logger)")
    assert (row["topic"], row["consumer_group"], row["request_type"]) == (
        topic,
        group,
        request_type,
    )


@pytest.mark.parametrize(
    ("context", "broker_id"),
    [
        ("[ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0]", 2),
        ("[Controller id=1, targetBrokerId=2]", 1),
        ("[Partition orders-3 broker=4]", 4),
        ("[ReplicaManager broker=5]", 5),
        ("[GroupMetadataManager brokerId=6]", 6),
        ("[SocketServer listenerType=BROKER, nodeId=7]", 7),
        ("[GroupCoordinator 8]:", 8),
        ("[Transaction State Manager 9]:", 9),
        ("[Replica Manager on Broker 10]:", 10),
        ("[broker-11-to-controller-heartbeat-channel-manager]:", 11),
        ("[Consumer clientId=consumer-g-1, groupId=g]", None),
        ("[Producer clientId=producer-1, transactionalId=tx-1]", None),
        ("[ExpirationReaper-0-null]:", None),
        ("[AdminClient clientId=adminclient-1]", None),
        # Kafka 0.8-1.0 Partition.scala: the context is not bracketed
        ("Partition [payments.v2,11] on broker 12:", 12),
        ("Partition [payments.v2,11] moved on broker 12:", None),
    ],
)
def test_broker_id_is_the_writer(context: str, broker_id: int | None) -> None:
    row = parse_one(f"[2026-11-27 20:00:00,000] INFO {context} talking to broker 3 (kafka.x.Y)")
    assert row["broker_id"] == broker_id


def test_pre_1_0_partition_context_gives_broker_topic_and_partition() -> None:
    """Kafka 0.9-1.0 wrote "Partition [t,N] on broker B: " before the message, no brackets."""
    row = parse_one(
        "[2016-03-02 07:15:41,902] INFO Partition [payments.v2,11] on broker 12: Shrinking ISR "
        "for partition [payments.v2,11] from 12,14,15 to 12 (kafka.cluster.Partition)"
    )
    assert (row["broker_id"], row["topic"], row["partition"]) == (12, "payments.v2", 11)
    assert attrs(row)["context"] == "Partition [payments.v2,11] on broker 12"


def test_context_keys_go_to_attributes_except_columns() -> None:
    row = parse_one(
        "[2026-11-27 20:00:00,000] INFO [Producer clientId=producer-1, transactionalId=tx-1] "
        "Transiting to fatal error state (org.apache.kafka.clients.producer.internals.Txn)"
    )
    assert attrs(row) == {
        "clientId": "producer-1",
        "transactionalId": "tx-1",
        "context": "Producer",
    }
    row = parse_one(GROUPS[9])
    assert "topic" not in attrs(row) and "partition" not in attrs(row) and "id" not in attrs(row)


def test_mixed_sample_assembles_exactly_and_is_at_least_99_percent_ok() -> None:
    lines = ["STRIMZI_BROKER_ID=0"]  # launcher output before the first log line
    for copy in range(10):
        for record in ALL_RECORDS:
            lines += record.replace("2026-11-27", f"2026-11-{10 + copy:02d}").split("\n")
    df = assemble(lines)
    assert df.height == 1 + 10 * len(ALL_RECORDS)
    out = PARSER.parse(df, UTC_OPTS)
    assert out.height == df.height
    ok = (out["parse_status"] == "ok").mean()
    assert ok >= 0.99
    assert out["parse_status"].value_counts().sort("parse_status").rows() == [
        ("ok", 10 * len(ALL_RECORDS)),
        ("unparsed", 1),
    ]


def test_output_contract() -> None:
    empty = PARSER.parse(events([]), UTC_OPTS)
    assert empty.height == 0 and dict(empty.schema) == PARSED_SCHEMA
    extra = events(ALL_RECORDS[:3]).with_columns(pl.lit("x").alias("unrelated"))
    out = PARSER.parse(extra.drop("observed_at"), UTC_OPTS)
    assert dict(out.schema) == PARSED_SCHEMA
    assert out["parse_status"].to_list() == ["ok"] * 3


def test_rules_are_data(tmp_path) -> None:
    path = tmp_path / "kafka.yaml"
    shutil.copy(RULES_PATH, path)
    rules = yaml.safe_load(path.read_text())
    rules["request_type"]["phrases"]["Shrinking ISR"] = "AlterPartition"
    rules["broker_id"]["positional"].append(r"^MyPlugin node (?P<id>\d+)$")
    path.write_text(yaml.safe_dump(rules))
    parser = KafkaParser(load_rules(path))
    row = parser.parse(
        events(
            [
                "[2026-11-27 20:00:00,000] INFO [MyPlugin node 4] Shrinking ISR from 1,2 to 1 "
                "(kafka.cluster.Partition)"
            ]
        ),
        UTC_OPTS,
    ).row(0, named=True)
    assert (row["request_type"], row["broker_id"]) == ("AlterPartition", 4)
    assert (
        parse_one(row_text := "[2026-11-27 20:00:00,000] INFO Shrinking ISR (a.B)")["request_type"]
        is None
    ), row_text


@pytest.mark.parametrize(
    ("section", "bad"),
    [
        ("layouts", {"name": "unanchored", "prefix": "(?P<level>INFO) "}),
        ("topic_partition", r"partition (?P<tp>\S+)"),
    ],
)
def test_malformed_rules_are_rejected(tmp_path, section: str, bad) -> None:
    rules = yaml.safe_load(RULES_PATH.read_text())
    rules[section].append(bad)
    path = tmp_path / "kafka.yaml"
    path.write_text(yaml.safe_dump(rules))
    with pytest.raises(ValueError, match="unanchored|lacks group"):
        load_rules(path)


_REAL_PREFIXES = st.sampled_from(ALL_RECORDS)
_TEXT = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.text(alphabet="[]()=-_.,:; \t\n0123456789aZ$\x1bINFOWARN", max_size=200),
    st.builds(
        lambda record, cut, junk: record[:cut] + junk,
        _REAL_PREFIXES,
        st.integers(0, 400),
        st.text(max_size=60),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=12), st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata"]))
def test_arbitrary_text_never_raises(texts: list[str | None], tz: str) -> None:
    df = events(texts, OBSERVED - timedelta(days=1))
    out = PARSER.parse(df, ParseOptions(timezone=tz))
    assert out.height == len(texts)
    assert dict(out.schema) == PARSED_SCHEMA
    assert out["message"].null_count() == 0
    assert out["parse_status"].null_count() == 0
    assert set(out["parse_status"].unique()) <= {"ok", "partial", "unparsed"}
    starts = pl.DataFrame({"line": texts}, schema={"line": pl.String}).select(
        PARSER.starts_record(pl.col("line"))
    )
    assert starts.height == len(texts) and starts.to_series().null_count() == 0


def test_registry_resolves_the_kafka_parser() -> None:
    from logadapt_assets.parsing.registry import get_parser

    assert get_parser("kafka") is PARSER and PARSER.name == "kafka"
